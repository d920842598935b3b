#!/usr/bin/env bash
# Installs what the service needs on a fresh Debian machine: Python packages into .venv,
# with --documents also LibreOffice Writer and the Tinos font (what the PDF documents need; scripts/serve.sh
# asks for it), and with --system all that plus PostgreSQL, Chromium, dovecot-imapd (database, browser and
# mailbox tests: tests/notifications starts its own IMAP server from it), Tesseract with Vietnamese (OCR of
# scanned letters in staff entry) and redis-server (the rate-limit store shared by several web machines:
# scripts/redis.sh, tests/reliability/test_two_machines.py).
set -euo pipefail
cd "$(dirname "$0")/.."

# The PDF briefings, notices and reports: LibreOffice renders the DOCX, and Tinos (fonts-croscore: metric-compatible
# with Times New Roman, every Vietnamese letter) is the face it renders them in (documents/administrative.py).
documents() {
  local want=()
  command -v soffice >/dev/null 2>&1 || want+=(libreoffice-writer-nogui)
  fc-list 2>/dev/null | grep -q "Tinos" || want+=(fonts-croscore)
  (( ${#want[@]} )) || return 0
  local SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
           --no-install-recommends "${want[@]}" >/dev/null; }; then
    echo "Could not install ${want[*]}: the PDF downloads answer 503 and the DOCX stays available." >&2
  fi
}

if [[ "${1:-}" == "--documents" ]]; then
  documents
fi

if [[ "${1:-}" == "--system" ]]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [[ -x /usr/lib/postgresql/15/bin/postgres ]] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
  command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql-common)
  [[ -x /usr/sbin/dovecot ]] || need+=(dovecot-imapd)
  # Tesseract with its Vietnamese data reads scanned paper letters in staff entry; pdftoppm rasterises a PDF scan.
  command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr)
  [[ -e /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ]] || ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata >/dev/null 2>&1 || need+=(tesseract-ocr-vie)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  if (( ${#need[@]} )); then
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  # LibreOffice (headless Writer only) renders the DOCX briefings and notices to PDF, in Tinos.
  documents
fi

PYTHON="${PYTHON:-python3}"
[[ -d .venv ]] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[test]"
