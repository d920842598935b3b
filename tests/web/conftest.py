"""Browser fixtures shared by the citizen and console page tests: real Chromium against a real server."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

# Debian's Chromium by default; CHROMIUM_PATH points elsewhere (another distribution, a developer's machine).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api

    # No silent skip: CI installs Chromium, and a developer without it is told how to get it.
    assert CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)"
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(make_app):
    """The app on a real HTTP server in a thread, on the test database."""
    server = make_server("127.0.0.1", 0, make_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
