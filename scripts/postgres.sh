#!/usr/bin/env bash
# Starts the local PostgreSQL server and makes the test role and database; prints the URL.
# --tune: also give it production-like settings (shared_buffers a quarter of the RAM, parallel workers half the
# cores) and restart it: the benches' figures in README "Vận hành" are measured so.
set -euo pipefail
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
  if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    $SUDO pg_createcluster "$version" main >/dev/null
  fi
  $SUDO service postgresql start >/dev/null 2>&1 || $SUDO pg_ctlcluster "$(pg_lsclusters -h | awk 'NR==1{print $1}')" main start
fi
for _ in $(seq 1 30); do
  $SUDO -u postgres psql -qtAc "SELECT 1" >/dev/null 2>&1 && break || sleep 1
done 2>/dev/null || true
as_pg() { if [[ $(id -u) -eq 0 ]]; then su postgres -c "$1"; else sudo -u postgres bash -c "$1"; fi; }
as_pg "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='tiepdan'\"" | grep -q 1 \
  || as_pg "psql -qc \"CREATE ROLE tiepdan LOGIN SUPERUSER PASSWORD 'tiepdan'\"" >/dev/null
as_pg "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='tiepdan_test'\"" | grep -q 1 \
  || as_pg "createdb -O tiepdan tiepdan_test"
if [[ "${1:-}" == "--tune" ]]; then
  # Production-like memory (the benchmarks' figures in README "Vận hành" are measured with it): shared_buffers a
  # quarter of the RAM (at most 8 GB), effective_cache_size half. The default 128 MB keeps a million petitions
  # out of PostgreSQL's own cache, so every scan copies them in again from the OS.
  mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
  shared_mb=$(( mem_kb / 4 / 1024 )); (( shared_mb > 8192 )) && shared_mb=8192
  # Parallel workers per query: half the cores (pgtune's rule). On 2 cores, one worker and the leader fill them;
  # two workers made the city report 10 % slower (bench/reports.py).
  workers=$(( $(nproc) / 2 )); (( workers < 1 )) && workers=1
  as_pg "psql -qc \"ALTER SYSTEM SET shared_buffers = '${shared_mb}MB'\" -c \"ALTER SYSTEM SET effective_cache_size = '$(( mem_kb / 2 / 1024 ))MB'\" -c \"ALTER SYSTEM SET max_parallel_workers_per_gather = ${workers}\"" >/dev/null
  cluster=$(pg_lsclusters -h | awk 'NR==1{print $1}')
  $SUDO pg_ctlcluster "$cluster" main restart
  for _ in $(seq 1 30); do as_pg "psql -qtAc 'SELECT 1'" >/dev/null 2>&1 && break || sleep 1; done
  echo "shared_buffers: $(as_pg "psql -qtAc 'SHOW shared_buffers'")" >&2
fi
echo "postgresql://tiepdan:tiepdan@127.0.0.1:5432/tiepdan_test"
