"""ID numbers (CCCD) encrypted at rest with DATA_ENCRYPTION_KEY, found by a keyed hash, migrated in place."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import JSON, MetaData, Table, create_engine, select, text

from service import crypto, migrate
from service.db import normalise_url
from service.models import Person
from tests.security.conftest import api_petition
from tests.test_migrations import empty_database_url  # noqa: F401  (a fresh database of the same kind)

CCCD = "031090012345"


def stored_id_number(session, person_id: int) -> str:
    return session.execute(text("SELECT id_number FROM people WHERE id = :id"), {"id": person_id}).scalar_one()


def test_the_id_number_column_holds_ciphertext_and_the_model_reads_it_back(client, session):
    answer = client.post("/api/v1/petitions", json=api_petition(petitioner={
        "name": "Lê Văn Cường", "phone": "0912345678", "address": "Cát Bà", "id_number": CCCD}))
    assert answer.status_code == 201
    person = session.scalar(select(Person))
    raw = stored_id_number(session, person.id)
    assert CCCD not in raw and raw.startswith("v1:") and crypto.is_encrypted(raw)
    assert person.id_number == CCCD
    # Found by its keyed hash, however it is written.
    found = session.scalar(select(Person).where(Person.id_number_hash == crypto.lookup_hash("031 090 012 345")))
    assert found.id == person.id
    assert person.id_number_hash != crypto.Keyring.from_setting(crypto.generate_key()).lookup_hash(CCCD)


def test_encryption_is_randomised_and_authenticated():
    ring = crypto.Keyring.from_setting(crypto.generate_key())
    first, second = ring.encrypt(CCCD), ring.encrypt(CCCD)
    assert first != second and ring.decrypt(first) == ring.decrypt(second) == CCCD
    tampered = first[:-4] + ("AAAA" if not first.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.CryptoKeyError):
        ring.decrypt(tampered)
    with pytest.raises(crypto.CryptoKeyError):
        crypto.Keyring.from_setting(crypto.generate_key()).decrypt(first)  # another key cannot read it


def test_key_rotation_reads_old_values_and_writes_with_the_new_key():
    old, new = crypto.generate_key(), crypto.generate_key()
    written = crypto.Keyring.from_setting(old).encrypt(CCCD)
    rotated = crypto.Keyring.from_setting(f"{new},{old}")
    assert rotated.decrypt(written) == CCCD
    assert rotated.encrypt(CCCD).split(":")[1] == crypto.Keyring.key_id(rotated.keys[0])


def test_a_value_that_looks_encrypted_is_still_encrypted(client, session):
    """A citizen may type anything: 'v1:x:y' as an ID number must not be stored as if it were ciphertext."""
    answer = client.post("/api/v1/petitions", json=api_petition(petitioner={
        "name": "Lê Văn Cường", "phone": "0912345678", "id_number": "v1:abcd:efgh"}))
    assert answer.status_code == 201
    person = session.scalar(select(Person))
    assert stored_id_number(session, person.id) != "v1:abcd:efgh" and person.id_number == "v1:abcd:efgh"


def test_production_refuses_to_start_without_a_key(make_app):
    with pytest.raises(crypto.CryptoKeyError):
        make_app(SESSION_COOKIE_SECURE=True, DATA_ENCRYPTION_KEY="")
    with pytest.raises(crypto.CryptoKeyError):
        make_app(DATA_ENCRYPTION_KEY="too-short")
    make_app(SESSION_COOKIE_SECURE=True, DATA_ENCRYPTION_KEY=crypto.generate_key())
    crypto.configure({"TESTING": True})  # back to the development key for the other tests


def insert_row(conn, table_name: str, **values) -> None:
    """A row with the given values; every other required column gets a plain value of its type."""
    table = Table(table_name, MetaData(), autoload_with=conn)
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        kind = column.type.python_type if not isinstance(column.type, JSON) else dict
        values[column.name] = {str: "x", int: 0, bool: False, dict: {}, list: []}.get(kind, dt.datetime.now(dt.timezone.utc))
    conn.execute(table.insert().values(**values))


def test_the_migration_encrypts_existing_rows_and_the_downgrade_restores_them(empty_database_url):  # noqa: F811
    migrate.upgrade(empty_database_url, "d1a106000002")  # the schema before this slice
    engine = create_engine(normalise_url(empty_database_url))
    with engine.begin() as conn:
        insert_row(conn, "units", id=1, code="99999", name="Xã Thử", kind="xa")
        insert_row(conn, "petitions", id=1, code="AAAA-BBBB-C", unit_id=1, kind="phan_anh", status="classified")
        insert_row(conn, "people", id=1, petition_id=1, role="petitioner", id_number=CCCD)
    migrate.upgrade(empty_database_url)
    with engine.connect() as conn:
        stored, hashed = conn.execute(text("SELECT id_number, id_number_hash FROM people")).one()
    assert CCCD not in stored and crypto.keyring().decrypt(stored) == CCCD and hashed == crypto.lookup_hash(CCCD)
    migrate.downgrade(empty_database_url, "d1a106000002")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id_number FROM people")).scalar_one() == CCCD
    engine.dispose()
