#!/usr/bin/env bash
# Starts a local Redis (Debian's redis-server) on 127.0.0.1:${REDIS_PORT:-6379}, daemonized, unless one
# already answers there; prints the URL. CI's PostgreSQL run uses it for the tests of several web machines
# sharing one rate-limit store (tests/reliability/test_two_machines.py). Nothing is saved to disk: the counters are disposable.
set -euo pipefail
port="${REDIS_PORT:-6379}"
url="redis://127.0.0.1:${port}/0"
if ! redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
  dir="${TMPDIR:-/tmp}/tiepdan-redis-${port}"
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save "" --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break || sleep 0.2
  done
  redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null
fi
echo "$url"
