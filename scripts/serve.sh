#!/usr/bin/env bash
# Sets up and runs the service on this machine (PORT chooses the port, 5000 by default): SQLite under instance/,
# demo data loaded, LibreOffice installed for the PDF documents, URL printed,
# and beside the web app the one jobs process (`python -m service.jobs`: deadline reminders and the outbox,
# chat notices included when TELEGRAM_BOT_TOKEN / ZALO_APP_ID are set). Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --documents  # LibreOffice and Tinos too: the chairperson downloads PDFs from here
source .venv/bin/activate
export FLASK_APP=service.app
flask setup
flask demo
PORT="${PORT:-5000}"
python -m service.jobs &
JOBS_PID=$!
trap 'kill "$JOBS_PID" 2>/dev/null || true' EXIT
echo
echo "Tiếp dân số đang chạy: http://127.0.0.1:${PORT}/"
echo "Bàn làm việc cán bộ: http://127.0.0.1:${PORT}/can-bo/ (tài khoản mẫu: xem 'flask demo' ở trên; dừng bằng Ctrl+C)"
gunicorn -c config/gunicorn.conf.py --workers 2 --bind "127.0.0.1:${PORT}" --access-logfile - "service.app:create_app()"
