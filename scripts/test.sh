#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs everything, then runs pytest on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --system
PG_URL=$(bash scripts/postgres.sh | tail -1)
source .venv/bin/activate

echo "== Tests on SQLite =="
python -m pytest -p no:cacheprovider "$@"
echo "== Tests on PostgreSQL =="
TEST_DATABASE_URL="$PG_URL" python -m pytest -p no:cacheprovider "$@"
