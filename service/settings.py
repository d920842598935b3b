"""Settings: read once from the environment at an entry point, overridable by a mapping (tests)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_ENV = ROOT / "config" / "settings.example.env"
BOOLEAN_KEYS = {"TESTING", "SCHEDULER_ENABLED", "RATELIMIT_ENABLED", "SESSION_COOKIE_SECURE"}
INTEGER_KEYS = {"MAX_CONTENT_LENGTH", "MAX_IMAGE_PIXELS"}


def defaults() -> dict[str, str]:
    """The defaults written in config/settings.example.env (the one list of every setting)."""
    values: dict[str, str] = {}
    for line in EXAMPLE_ENV.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in BOOLEAN_KEYS:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if key in INTEGER_KEYS:
        return int(value)
    return value


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    for key, default in defaults().items():
        settings[key] = _coerce(key, environ.get(key, default))
    for key, value in (overrides or {}).items():
        settings[key] = _coerce(key, value)
    url = settings["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url[len("sqlite:///"):]
        if relative and relative != ":memory:":
            path = ROOT / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            settings["DATABASE_URL"] = f"sqlite:///{path}"
    settings["REMOTE_UNITS"] = frozenset(c.strip() for c in str(settings["REMOTE_UNITS"]).split(",") if c.strip())
    return settings
