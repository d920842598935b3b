"""Settings: read once from the environment at an entry point, overridable by a mapping (tests)."""
from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_ENV = ROOT / "config" / "settings.example.env"
BOOLEAN_KEYS = {"TESTING", "SCHEDULER_ENABLED", "RATELIMIT_ENABLED", "SESSION_COOKIE_SECURE"}
INTEGER_KEYS = {"MAX_CONTENT_LENGTH", "MAX_IMAGE_PIXELS", "STAFF_SESSION_IDLE_MINUTES", "STAFF_SESSION_MAX_HOURS"}
ENVIRONMENTS = ("development", "testing", "production")
MIN_SECRET_KEY_BYTES = 32


class InsecureSettings(ValueError):
    """A setting the service refuses to start with; the message names it and says what to do."""


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


@dataclass(frozen=True, eq=False)
class Settings(Mapping[str, Any]):
    """Every setting of one process, read once by its entry point (create_app, `python -m service.jobs`, the
    polling bot, bots.admin) and handed to whoever needs it; nothing reads the environment after that.

    Immutable; read like a mapping (`settings["DATABASE_URL"]`, `settings.get("LOG_LEVEL")`), with typed
    properties for the values the plumbing itself needs."""

    values: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.values) == dict(other)

    __hash__ = None  # type: ignore[assignment]  # equal to a dict, so not hashable

    def __repr__(self) -> str:  # never the secrets: only the names
        return f"Settings({', '.join(sorted(self.values))})"

    @property
    def database_url(self) -> str:
        return str(self.values["DATABASE_URL"])

    @property
    def ratelimit_enabled(self) -> bool:
        return bool(self.values.get("RATELIMIT_ENABLED"))

    @property
    def public_limit(self) -> str:
        return str(self.values.get("RATELIMIT_PUBLIC") or "30 per minute")


def _units(value: Any) -> frozenset[str]:
    if isinstance(value, (set, frozenset, list, tuple)):
        return frozenset(str(c).strip() for c in value if str(c).strip())
    return frozenset(c.strip() for c in str(value or "").split(",") if c.strip())


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """The defaults of config/settings.example.env, then the environment, then `overrides` (tests)."""
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
    settings["REMOTE_UNITS"] = _units(settings["REMOTE_UNITS"])
    return Settings(settings)


def environment(settings: Mapping[str, Any]) -> str:
    """`TIEPDAN_ENV`: development (the default: scripts/serve.sh, a laptop), testing or production."""
    env = str(settings.get("TIEPDAN_ENV") or "development").strip().lower()
    if env not in ENVIRONMENTS:  # "prod" must not quietly mean development
        raise InsecureSettings(f"TIEPDAN_ENV='{env}': chỉ nhận {', '.join(ENVIRONMENTS)} "
                               f"(TIEPDAN_ENV must be one of {', '.join(ENVIRONMENTS)}).")
    return env


def refuse_insecure(settings: Mapping[str, Any]) -> None:
    """Refuse to start in production with the development secrets: with the published SECRET_KEY anyone
    can forge a staff login cookie, and with the development DATA_ENCRYPTION_KEY the ID numbers are as
    good as unencrypted. Every entry point that builds the app or the jobs process calls this."""
    if environment(settings) != "production":
        return
    secret = str(settings.get("SECRET_KEY") or "")
    if not secret or hmac.compare_digest(secret.encode(), str(defaults().get("SECRET_KEY")).encode()):
        raise InsecureSettings(
            "SECRET_KEY: giá trị mặc định (hoặc trống) không được dùng khi TIEPDAN_ENV=production — cookie đăng "
            "nhập sẽ bị giả mạo. Đặt một chuỗi ngẫu nhiên, ví dụ: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))' (SECRET_KEY is the development default; set a random one).")
    if len(secret.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
        raise InsecureSettings(
            f"SECRET_KEY: cần ít nhất {MIN_SECRET_KEY_BYTES} byte khi TIEPDAN_ENV=production (SECRET_KEY must be "
            f"at least {MIN_SECRET_KEY_BYTES} bytes in production).")
    from service import crypto  # here: settings is imported by everything, crypto needs `cryptography`

    key = str(settings.get("DATA_ENCRYPTION_KEY") or "").strip()
    # Only the first key encrypts: the development key may stay behind it while values are re-encrypted.
    if not key or hmac.compare_digest(key.split(",")[0].strip().encode(), crypto.DEV_KEY.encode()):
        raise InsecureSettings(
            "DATA_ENCRYPTION_KEY: khóa phát triển (hoặc trống) không được dùng khi TIEPDAN_ENV=production — số "
            "CCCD sẽ coi như không được mã hóa. Tạo khóa: python -c 'import service.crypto as c; "
            "print(c.generate_key())' (DATA_ENCRYPTION_KEY must be set to a key of your own in production).")
