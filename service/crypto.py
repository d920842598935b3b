"""Encryption at rest of sensitive personal data (the CCCD / ID number), and keyed hashes to find it.

Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 counts ID numbers among the data that need stronger
protection; legal.md §4 asks for "encrypt at rest". AES-256-GCM (authenticated: a changed
ciphertext fails to decrypt rather than yielding another number), a fresh 96-bit nonce per value.

Keys come from the `DATA_ENCRYPTION_KEY` setting: one or more url-safe base64 32-byte keys separated
by commas; the first encrypts, every one decrypts (rotation: put the new key first, re-encrypt, then
drop the old one); each entry point installs them once with `configure(settings)`, and nothing is
encrypted before it has. Stored form: ``v1:<key id>:<base64(nonce + ciphertext)>``. Without a key a
fixed development key is used, with a warning; `configure` refuses that in production.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

PREFIX = "v1"
# Development only (documented, never secret): the service refuses it in production.
DEV_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"tiep-dan-so development key").digest()).decode()


class CryptoKeyError(ValueError):
    """A missing, malformed or unknown encryption key."""


def generate_key() -> str:
    """A new key for DATA_ENCRYPTION_KEY."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _decode_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (ValueError, TypeError) as exc:
        raise CryptoKeyError("DATA_ENCRYPTION_KEY is not url-safe base64") from exc
    if len(raw) != 32:
        raise CryptoKeyError("each DATA_ENCRYPTION_KEY must be 32 bytes (python -c 'import service.crypto as c; "
                        "print(c.generate_key())')")
    return raw


@dataclass(frozen=True)
class Keyring:
    keys: tuple[bytes, ...]  # the first one encrypts

    @classmethod
    def from_setting(cls, value: str | None) -> Keyring:
        parts = [p for p in (value or "").split(",") if p.strip()]
        if not parts:
            raise CryptoKeyError("DATA_ENCRYPTION_KEY is empty")
        return cls(tuple(_decode_key(p) for p in parts))

    @staticmethod
    def key_id(key: bytes) -> str:
        return hashlib.sha256(b"key-id" + key).hexdigest()[:8]

    def encrypt(self, plaintext: str) -> str:
        key = self.keys[0]
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), PREFIX.encode())
        return f"{PREFIX}:{self.key_id(key)}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        prefix, _, rest = stored.partition(":")
        key_id, _, body = rest.partition(":")
        if prefix != PREFIX or not body:
            raise CryptoKeyError("not an encrypted value")
        key = next((k for k in self.keys if self.key_id(k) == key_id), None)
        if key is None:
            raise CryptoKeyError(f"no key {key_id} in DATA_ENCRYPTION_KEY")
        raw = base64.urlsafe_b64decode(body)
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], PREFIX.encode()).decode("utf-8")
        except InvalidTag as exc:
            raise CryptoKeyError("the value was altered or the key is wrong") from exc

    def lookup_hash(self, value: str) -> str:
        """A keyed hash (HMAC-SHA256) to find equal values without decrypting; stable across rotations of
        the encryption key only while the first key stays (re-hash when it changes)."""
        hash_key = hmac.new(self.keys[0], b"lookup-hash", hashlib.sha256).digest()
        return hmac.new(hash_key, normalise_id_number(value).encode(), hashlib.sha256).hexdigest()


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX + ":") and value.count(":") >= 2


def normalise_id_number(value: str) -> str:
    """'001 090 012 345' and '001090012345' are the same number for look-ups."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


_lock = threading.Lock()
_keyring: Keyring | None = None


def configure(settings: Mapping[str, Any]) -> Keyring:
    """Install the keyring of these settings (create_app and the other entry points call this).

    Production (behind HTTPS: SESSION_COOKIE_SECURE) must set DATA_ENCRYPTION_KEY; elsewhere the
    development key stands in, with a warning."""
    global _keyring
    value = str(settings.get("DATA_ENCRYPTION_KEY") or "").strip()
    if not value:
        if settings.get("SESSION_COOKIE_SECURE") is True or str(settings.get("SESSION_COOKIE_SECURE")).lower() == "true":
            raise CryptoKeyError("DATA_ENCRYPTION_KEY must be set in production (ID numbers are encrypted with it)")
        if not settings.get("TESTING"):
            logger.warning("DATA_ENCRYPTION_KEY is not set: using the development key (never in production)")
        value = DEV_KEY
    with _lock:
        _keyring = Keyring.from_setting(value)
    return _keyring


def is_configured() -> bool:
    return _keyring is not None


def keyring() -> Keyring:
    """The keyring installed by the entry point (`configure`); never read from the environment here."""
    if _keyring is None:
        raise CryptoKeyError("no encryption key configured: the entry point must call "
                             "service.crypto.configure(settings) before ID numbers are read or written")
    return _keyring


def lookup_hash(value: str | None) -> str | None:
    return keyring().lookup_hash(value) if value else None


class EncryptedText(TypeDecorator):
    """A text column whose values are stored encrypted; reads give the plaintext back.

    Equality in SQL cannot work on it (each encryption differs): find values by their `lookup_hash`."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        # Always encrypted, even a value that looks encrypted: a citizen may type anything.
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or not is_encrypted(value):
            return value  # a row written before encryption (the migration encrypts them)
        return keyring().decrypt(value)
