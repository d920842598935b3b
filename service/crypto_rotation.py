"""`flask crypto rotate`: re-encrypt every stored ID number under the newest key, and re-hash it.

Rotation (service.crypto): put the new key first in DATA_ENCRYPTION_KEY and keep the old ones after
it, run this, then drop the old keys once it reports 0 rows left. The look-up hash is keyed by the
first key too, so it is recomputed here; otherwise a search by ID number would miss the rotated rows.
Each batch commits on its own (a large table is never locked for the whole run); a second run changes
nothing. Values are never printed (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15: ID numbers are sensitive).
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy import Text, select, type_coerce, update

from service import crypto
from service.db import Database
from service.models.person import Person


@dataclass
class RotationResult:
    checked: int = 0
    changed: int = 0


def _current(keyring: crypto.Keyring, stored: str, stored_hash: str | None) -> tuple[str, bool]:
    """(plaintext, already under the newest key with the right hash)."""
    if not crypto.is_encrypted(stored):
        return stored, False  # a row written before encryption existed
    plain = keyring.decrypt(stored)  # CryptoKeyError: a key missing from DATA_ENCRYPTION_KEY
    newest = stored.split(":", 2)[1] == keyring.key_id(keyring.keys[0])
    return plain, newest and hmac.compare_digest(stored_hash or "", keyring.lookup_hash(plain))


def rotate_id_numbers(database: Database, batch: int = 500) -> RotationResult:
    """Re-encrypt under the first key every ID number that is not; idempotent."""
    keyring = crypto.keyring()
    result, last_id = RotationResult(), 0
    raw = type_coerce(Person.id_number, Text)  # the stored ciphertext, not decrypted by the column type
    while True:
        with database.session_scope() as session:
            rows = session.execute(select(Person.id, raw, Person.id_number_hash)
                                   .where(Person.id > last_id, Person.id_number.is_not(None))
                                   .order_by(Person.id).limit(batch)).all()
            for person_id, stored, stored_hash in rows:
                plain, current = _current(keyring, stored, stored_hash)
                if not current:
                    # The column type encrypts the plaintext with the first key on the way in.
                    session.execute(update(Person).where(Person.id == person_id)
                                    .values(id_number=plain, id_number_hash=keyring.lookup_hash(plain))
                                    .execution_options(synchronize_session=False))
                    result.changed += 1
            result.checked += len(rows)
        if len(rows) < batch:
            return result
        last_id = rows[-1][0]
