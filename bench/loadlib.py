"""The service as production runs it, for the load run and the fault tests: gunicorn (several workers) on
PostgreSQL, the jobs process (`python -m service.jobs`), and fake Telegram and Zalo APIs in their own process.

`python -m bench.loadlib fakes TELEGRAM_PORT ZALO_PORT` runs the fakes (the Stack starts it); they add a
small control API under `/_test/` (calls seen, down, delay) so another process can read and steer them.
"""
from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TELEGRAM_TOKEN = "123456:TEST-token"  # the fakes' own values (tests/bots/fake_*.py)
TELEGRAM_SECRET = "load-tg-secret"
ZALO_APP_ID, ZALO_APP_SECRET, ZALO_OA_SECRET = "zalo-app", "zalo-app-secret", "zalo-oa-secret"
DEFAULT_ADMIN_URL = "postgresql://tiepdan:tiepdan@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, seconds: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except Exception:  # not up yet
            pass
        time.sleep(step)
    return False


# ---- databases ----------------------------------------------------------------------------------

def admin_url_from(url: str) -> str:
    """The same server's maintenance database, from any PostgreSQL URL."""
    return url.rsplit("/", 1)[0] + "/postgres"


def recreate_database(name: str, admin_url: str | None = None) -> str:
    """Drop and create database `name`; returns its URL."""
    admin_url = admin_url or os.environ.get("BENCH_ADMIN_URL", DEFAULT_ADMIN_URL)
    engine = create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    engine = create_engine(admin_url_from(url).replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def setup_database(url: str) -> None:
    """`flask setup` on the database: migrations, units, catalogues."""
    from service.cli import run_setup
    from service.db import Database

    database = Database(url)
    try:
        run_setup(database)
    finally:
        database.dispose()


# ---- processes ----------------------------------------------------------------------------------

class Process:
    """A child process in its own process group (so SIGKILL reaches gunicorn's workers too), output to a log."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path):
        self.name, self.argv, self.env = name, argv, env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Process":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=log,
                                     start_new_session=True)
        log.close()
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group at once: no graceful shutdown, no finishing of requests."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)

    def stop(self, timeout: float = 15) -> None:
        if not self.running:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def service_env(database_url: str, fakes: "Fakes | None" = None, **extra: str) -> dict[str, str]:
    """Settings of the web workers and the jobs process. Rate limits are off: one client IP sends everything."""
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "load-bench-secret-0123456789", "RATELIMIT_ENABLED": "false",
           "LOG_LEVEL": "WARNING", "SCHEDULER_ENABLED": "true", "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
           "ZALO_APP_ID": ZALO_APP_ID, "ZALO_OA_SECRET_KEY": ZALO_OA_SECRET, "ZALO_APP_SECRET": ZALO_APP_SECRET,
           "ZALO_ACCESS_TOKEN": "access-1", "ZALO_REFRESH_TOKEN": "refresh-1", "PYTHONUNBUFFERED": "1"}
    if fakes is not None:
        env.update({"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE_URL": fakes.telegram_url,
                    "ZALO_API_BASE_URL": fakes.zalo_url, "ZALO_OAUTH_BASE_URL": fakes.zalo_url})
    env.update(extra)
    return env


class Gunicorn(Process):
    def __init__(self, env: dict[str, str], log_dir: Path, *, workers: int = 4, port: int | None = None,
                 timeout: int = 60):
        self.port = port or free_port()
        argv = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py"),
                "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                "--backlog", "2048", "--timeout", str(timeout), "--log-level", "warning",
                *shlex.split(os.environ.get("GUNICORN_EXTRA_ARGS", "")),  # e.g. --worker-class gthread --threads 4
                "service.app:create_app()"]
        super().__init__(f"gunicorn-{self.port}", argv, env, log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 90) -> "Gunicorn":
        super().start()
        up = wait_until(lambda: not self.running or httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200,
                        wait, 0.3)
        if not up or not self.running:
            self.kill()
            raise RuntimeError(f"gunicorn did not start:\n{self.log()[-3000:]}")
        return self


def jobs_process(env: dict[str, str], log_dir: Path) -> Process:
    return Process("jobs", [sys.executable, "-m", "service.jobs"], {**env, "LOG_LEVEL": "INFO"}, log_dir)


class Fakes(Process):
    """The fake Telegram Bot API and Zalo Open API in a child process, on fixed ports (they survive restarts)."""

    def __init__(self, log_dir: Path, telegram_port: int | None = None, zalo_port: int | None = None):
        self.telegram_port, self.zalo_port = telegram_port or free_port(), zalo_port or free_port()
        super().__init__("fakes", [sys.executable, "-m", "bench.loadlib", "fakes", str(self.telegram_port),
                                   str(self.zalo_port)], {}, log_dir)

    telegram_url = property(lambda self: f"http://127.0.0.1:{self.telegram_port}")
    zalo_url = property(lambda self: f"http://127.0.0.1:{self.zalo_port}")

    def start(self) -> "Fakes":
        super().start()
        ok = wait_until(lambda: all(httpx.get(f"{u}/_test/calls", timeout=2).status_code == 200
                                    for u in (self.telegram_url, self.zalo_url)), 30)
        if not ok:
            self.kill()
            raise RuntimeError(f"fake platforms did not start:\n{self.log()[-2000:]}")
        return self

    def calls(self, platform: str) -> list[list[Any]]:
        url = self.telegram_url if platform == "telegram" else self.zalo_url
        return httpx.get(f"{url}/_test/calls", timeout=30).json()

    def steer(self, platform: str, *, down: bool | None = None, delay: float | None = None) -> None:
        url = self.telegram_url if platform == "telegram" else self.zalo_url
        httpx.post(f"{url}/_test/steer", json={"down": down, "delay": delay}, timeout=10).raise_for_status()

    def delivered(self) -> dict[str, dict[str, list[str]]]:
        """Texts each platform accepted, by recipient: {"telegram": {chat_id: [...]}, "zalo": {user_id: [...]}}."""
        out: dict[str, dict[str, list[str]]] = {"telegram": {}, "zalo": {}}
        for method, params, status in self.calls("telegram"):
            if method == "sendMessage" and status == 200:
                out["telegram"].setdefault(str(params.get("chat_id")), []).append(params.get("text", ""))
        for method, params, status in self.calls("zalo"):
            if method == "cs" and status == 200 and "text" in params["message"]:  # not the request_user_info form
                out["zalo"].setdefault(params["recipient"]["user_id"], []).append(params["message"]["text"])
        return out


def _fakes_main(telegram_port: int, zalo_port: int) -> None:
    """Serve both fakes until killed. Each records [method, params, HTTP status] of every call."""
    import threading

    from flask import jsonify, request
    from werkzeug.serving import make_server

    from tests.bots.fake_telegram import FakeTelegram
    from tests.bots.fake_zalo import FakeZalo
    from tests.bots.server import _RawHeaders

    def controlled(fake, port: int):
        app = fake._app()
        fake.delay, fake.log, lock = 0.0, [], threading.Lock()

        @app.before_request
        def _slow():
            if fake.delay and not request.path.startswith("/_test/"):
                time.sleep(fake.delay)

        @app.after_request
        def _record(response):
            if not request.path.startswith("/_test/"):
                params = request.form.to_dict() or request.get_json(silent=True) or {}
                with lock:
                    fake.log.append([request.path.rsplit("/", 1)[-1], params, response.status_code])
            return response

        @app.get("/_test/calls")
        def _calls():
            with lock:
                return jsonify(list(fake.log))

        @app.post("/_test/steer")
        def _steer():
            body = request.get_json()
            if body.get("down") is not None:
                fake.down = bool(body["down"])
            if body.get("delay") is not None:
                fake.delay = float(body["delay"])
            return jsonify(ok=True)

        server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_RawHeaders)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    telegram, zalo = FakeTelegram(TELEGRAM_TOKEN), FakeZalo()
    for fake in (telegram, zalo):
        fake.server.server.server_close()  # the fakes' own port-0 sockets; ours listen on fixed ports
    controlled(telegram, telegram_port)
    controlled(zalo, zalo_port)
    while True:
        time.sleep(3600)


def new_marker() -> str:
    """A unique reference written into each petition's text, so the check finds it whatever its channel."""
    return f"LD-{uuid.uuid4().hex[:12]}"


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "fakes":
    _fakes_main(int(sys.argv[2]), int(sys.argv[3]))
