"""The one message catalogue of everything a person reads from the command line.

Messages are written in English in the code (`_("...")`) and translated to Chinese in
campaign/i18n/locale/zh_CN/LC_MESSAGES/campaign.po (gettext, kept with Babel). Chinese is the
default; English is shown when CAMPAIGN_LANGUAGE=en, or when the locale (LANGUAGE, LC_ALL,
LC_MESSAGES, LANG, in that order) names an English one. The compiled .mo is built by
scripts/setup.sh (`python -m campaign.i18n`) and, if it is missing or older than the .po,
at first use (into the package folder when writable, else in memory).

Placeholders are named and filled with str.format: `_("{count} sent").format(count=n)`.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from functools import lru_cache
from pathlib import Path

DOMAIN = "campaign"
LOCALE_DIR = Path(__file__).parent / "locale"
CHINESE = "zh_CN"
ENGLISH = "en"


def language() -> str:
    """ "zh_CN" or "en": the setting CAMPAIGN_LANGUAGE first, then the locale; Chinese default."""
    setting = os.environ.get("CAMPAIGN_LANGUAGE", "").strip().lower()
    if setting:
        return ENGLISH if setting.startswith("en") else CHINESE
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        if value:
            return ENGLISH if value.lower().startswith("en") else CHINESE
    return CHINESE


def is_english() -> bool:
    return language() == ENGLISH


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(lang: str = CHINESE) -> bytes:
    """The .mo bytes of a language's .po; written next to it when the folder is writable."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = _po_path(lang)
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    data = buffer.getvalue()
    mo = po.with_suffix(".mo")
    partial = mo.with_name(f".{mo.name}.{os.getpid()}")
    try:  # written aside and renamed: a process reading at the same time sees a whole file
        partial.write_bytes(data)
        os.replace(partial, mo)
    except OSError:
        partial.unlink(missing_ok=True)
    return data


@lru_cache(maxsize=4)
def translations(lang: str) -> _gettext.NullTranslations:
    if lang == ENGLISH:
        return _gettext.NullTranslations()
    po, mo = _po_path(lang), _po_path(lang).with_suffix(".mo")
    if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as f:
            return _gettext.GNUTranslations(f)
    return _gettext.GNUTranslations(io.BytesIO(compile_catalogue(lang)))


def gettext(message: str) -> str:
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark, translate later"
    """Mark a message for the catalogue where it is defined; translate it where shown."""
    return message


_ = gettext
