#!/usr/bin/env bash
# Set up everything the project needs on a fresh machine; safe to run again.
#   scripts/setup.sh          Python environment (.venv) with the app and test tools
#   scripts/setup.sh --system also Debian packages the tests use (chromium, dovecot-imapd,
#                             fonts-noto-cjk, redis-server, libreoffice-calc-nogui,
#                             libreoffice-writer-nogui, poppler-utils), when root
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--system" ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  # IMAP server the inbox tests start on loopback (answers by e-mail, docs/inbox.md)
  [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
  # Redis: Prefect's messaging between several API servers (tests/operations, docs/operations.md)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  # CJK glyphs for the summary charts (matplotlib finds "Noto Sans CJK SC").
  fc-list 2>/dev/null | grep -q "Noto Sans CJK" || need+=(fonts-noto-cjk)
  # LibreOffice Calc: the .xlsx table saved again by a real spreadsheet program (tests)
  dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
  # The .docx documents are converted to PDF and measured (tests/documents/test_docx_layout.py)
  command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing ${need[*]} (apt-get)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      echo "setup: please install ${need[*]} (sudo apt-get install ${need[*]})" >&2
    fi
  fi
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]' --config-settings editable_mode=compat
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# The command line's message catalogue: compile the .po into the .mo gettext reads.
.venv/bin/python -m campaign.i18n
