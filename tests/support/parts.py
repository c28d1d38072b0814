"""The real parts some tests need (PostgreSQL, Chromium, Dovecot, LibreOffice, the CJK
font, the scaled stack). One rule for all of them: on a developer's machine without the
part, the test skips and says what to install; under CI (CI=true) it fails, because CI
installs every part (scripts/setup.sh --system) and a missing one is a broken setup."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

SETUP = "scripts/setup.sh --system"


def missing_part(message: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{message}; required under CI ({SETUP})")
    pytest.skip(message)


def need_chromium(path: str) -> None:
    if not Path(path).exists():
        missing_part(f"chromium is not installed ({SETUP} installs it)")
