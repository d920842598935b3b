#!/usr/bin/env bash
# Sets up and runs the service on this machine: SQLite under instance/, demo data loaded, URL printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
source .venv/bin/activate
export FLASK_APP=service.app
flask setup
flask demo
PORT="${PORT:-5000}"
echo
echo "Tiếp dân số đang chạy: http://127.0.0.1:${PORT}/"
echo "Bàn làm việc cán bộ: http://127.0.0.1:${PORT}/can-bo/ (tài khoản mẫu: xem 'flask demo' ở trên; dừng bằng Ctrl+C)"
exec gunicorn -c config/gunicorn.conf.py --workers 2 --bind "127.0.0.1:${PORT}" --access-logfile - "service.app:create_app()"
