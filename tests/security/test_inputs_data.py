"""Personal data of issue #14 (finding 7 and build item 6): URL-encoded phones and search terms never reach
the access logs; retention erases the attachments of long-closed petitions; `flask crypto rotate`."""
from __future__ import annotations

import datetime as dt
import io
import logging
import types

import httpx
import pytest
from sqlalchemy import select, text

from service import crypto
from service.db import utcnow
from service.domain.inbound import Actor, AttachmentData, InboundMessage, PersonData
from service.domain.intake.operations import submit
from service.jobs.retention import apply_retention
from service.models import Attachment, Person, Petition
from service.models.user import AuditEntry
from tests.bots.server import ThreadedServer
from tests.conftest import TEST_SETTINGS
from tests.helpers import png_bytes
from tests.security.conftest import api_petition

# What the finding saw in the logs: a phone written three URL-encoded ways, and a staff search by name.
ENCODED = ["%2B84912345678", "0912%20345%20678", "%2B84+912+345+678", "84%20912%20345%20678"]
NAME_QUERY = "Nguy%E1%BB%85n+V%C4%83n+An"
LEAKS = ["912345678", "912%20345", "912+345", "345%20678", "345+678", "Nguy%E1%BB%85n", "Nguyễn", "V%C4%83n",
         "Tr%E1%BA%A7n"]


@pytest.fixture
def access_log():
    """Everything the werkzeug and gunicorn access loggers write, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    loggers = [logging.getLogger(n) for n in ("werkzeug", "gunicorn.access")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield stream.getvalue
    for lg, level in zip(loggers, levels):
        lg.removeHandler(handler)
        lg.setLevel(level)


@pytest.mark.committed  # the app serves from another thread
def test_a_real_server_access_log_carries_no_encoded_phone_nor_search_term(app, access_log, caplog):
    caplog.set_level(logging.INFO)
    server = ThreadedServer(app).start()
    try:
        with httpx.Client(base_url=server.url, follow_redirects=False) as web:
            for phone in ENCODED:
                web.get(f"/api/v1/status/K7M4-Q2XA-R?phone={phone}")
                web.get(f"/tra-cuu?code=K7M4-Q2XA-R&phone={phone}")
            web.get(f"/can-bo/don?q={NAME_QUERY}&status=new")
            web.get(f"/can-bo/?search={NAME_QUERY}")
            web.get("/api/v1/petitions?q=Tr%E1%BA%A7n+Th%E1%BB%8B", headers={"Referer": f"{server.url}/can-bo/?q=0912%20345%20678"})
    finally:
        server.stop()
    written = access_log() + caplog.text
    assert "GET /api/v1/status/K7M4-Q2XA-R?phone=[phone]" in written and "q=[search]" in written  # lines are kept
    for leak in LEAKS:
        assert leak not in written, leak


def test_the_gunicorn_access_log_format_is_scrubbed(app, access_log):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    cfg.set("accesslog", "/dev/null")
    gunicorn_log = Logger(cfg)
    response = types.SimpleNamespace(status="200 OK", sent=5012, headers=[])
    for uri, query in ((f"/can-bo/don?q={NAME_QUERY}", f"q={NAME_QUERY}"),
                       (f"/tra-cuu?phone={ENCODED[1]}", f"phone={ENCODED[1]}"),
                       (f"/api/v1/petitions?search={NAME_QUERY}&phone={ENCODED[2]}", "")):
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": uri, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.5",
                   "QUERY_STRING": query, "HTTP_REFERER": f"https://tiepdan.example.vn/can-bo/?q={NAME_QUERY}",
                   "HTTP_USER_AGENT": "Mozilla/5.0"}
        gunicorn_log.access(response, types.SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=12))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s q=%(q)s')
    gunicorn_log.access(response, types.SimpleNamespace(headers=[]), {**environ, "QUERY_STRING": f"q={NAME_QUERY}"},
                        dt.timedelta(milliseconds=12))
    written = access_log()
    assert written.count("10.0.0.5") == 4 and "/tra-cuu?phone=[phone]" in written
    for leak in LEAKS:
        assert leak not in written, leak


# ---- retention erases attachments ------------------------------------------------------------------

def _with_file(session, kind: str, closed_days_ago: int) -> Petition:
    msg = InboundMessage(channel="web", kind=kind, unit="11914",
                         content="Cán bộ địa chính xã nhận tiền để cấp giấy chứng nhận, tôi gửi kèm thư viết tay.",
                         petitioner=PersonData(name="Lê Thị Hoa", phone="0912000111", address="Thôn 2, Cát Bà"),
                         attachments=[AttachmentData("thu-viet-tay.png", png_bytes(size=(16, 16)))], consent=True)
    petition = submit(session, msg, Actor(label="Công dân"), now=utcnow() - dt.timedelta(days=closed_days_ago + 30)).petition
    petition.status, petition.closed_at = "closed", utcnow() - dt.timedelta(days=closed_days_ago)
    session.commit()
    return petition


def test_retention_erases_the_files_of_long_closed_denunciations_and_keeps_recent_ones(login_as, session, database):
    old = _with_file(session, "to_cao", 6 * 365)
    old_report = _with_file(session, "phan_anh", 7 * 365)
    recent = _with_file(session, "to_cao", 365)
    files = {p.code: session.scalar(select(Attachment).where(Attachment.petition_id == p.id)) for p in (old, recent)}
    reader = login_as("inspector")  # inspectors may open a denunciation's files (access.can_see_identity)
    assert reader.get(f"/can-bo/don/{old.code}/tep/{files[old.code].id}").status_code == 200

    result = apply_retention(database)
    assert result.attachments == 2
    session.expire_all()
    erased = session.scalar(select(Attachment).where(Attachment.petition_id == old.id))
    assert erased.erased_at is not None and erased.data == b"" and erased.size == 0 and erased.sha256 == ""
    assert "thu-viet-tay" not in erased.filename and "hết thời hạn lưu trữ" in erased.filename
    assert session.scalar(select(Attachment.data).where(Attachment.petition_id == old_report.id)) == b""
    kept = session.scalar(select(Attachment).where(Attachment.petition_id == recent.id))
    assert kept.erased_at is None and kept.data.startswith(b"\x89PNG") and kept.filename == "thu-viet-tay.png"
    # Through the console: the erased file is gone, the page says so; the recent one still downloads.
    assert reader.get(f"/can-bo/don/{old.code}/tep/{erased.id}").status_code == 404
    assert "đã được xóa khi hết thời hạn lưu trữ" in reader.get(f"/can-bo/don/{old.code}").get_data(as_text=True)
    assert reader.get(f"/can-bo/don/{recent.code}/tep/{kept.id}").get_data() == kept.data
    # Audited, denunciations first; a second run changes nothing.
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "attachments_erased")
                              .order_by(AuditEntry.id)).all()
    assert [(e.object_id, e.data["kind"], e.data["count"]) for e in entries] == \
        [(old.code, "to_cao", 1), (old_report.code, "phan_anh", 1)]
    assert apply_retention(database).attachments == 0


# ---- flask crypto rotate ---------------------------------------------------------------------------

@pytest.fixture
def restore_test_key():
    yield
    crypto.configure(TEST_SETTINGS)


ID_NUMBERS = ["031090012345", "031090012346", "001 085 000 123"]


def test_crypto_rotate_re_encrypts_every_id_number_under_the_newest_key(make_app, session, restore_test_key):
    key_a, key_b = crypto.generate_key(), crypto.generate_key()
    client = make_app(DATA_ENCRYPTION_KEY=key_a).test_client()
    co_signers = [{"name": f"Người ký {i}", "phone": f"091200011{i}", "id_number": n} for i, n in enumerate(ID_NUMBERS[1:])]
    answer = client.post("/api/v1/petitions", json=api_petition(
        petitioner={"name": "Lê Văn Cường", "phone": "0912345678", "id_number": ID_NUMBERS[0]}, co_signers=co_signers))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    ring_a, ring_b = crypto.Keyring.from_setting(key_a), crypto.Keyring.from_setting(key_b)

    # Without the old key the rotation cannot read the rows: it says so and changes nothing.
    refused = make_app(DATA_ENCRYPTION_KEY=key_b).test_cli_runner().invoke(args=["crypto", "rotate"])
    assert refused.exit_code != 0 and "khóa cũ" in refused.output

    app_b = make_app(DATA_ENCRYPTION_KEY=f"{key_b},{key_a}")
    result = app_b.test_cli_runner().invoke(args=["crypto", "rotate", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Đã mã hóa lại 3 số giấy tờ" in result.output
    rows = session.execute(text("SELECT id_number, id_number_hash FROM people WHERE id_number IS NOT NULL")).all()
    assert len(rows) == 3
    plain = sorted(ring_b.decrypt(stored) for stored, _ in rows)  # B alone reads every row
    assert plain == sorted(ID_NUMBERS)
    for stored, _ in rows:
        assert stored.split(":")[1] == ring_b.key_id(ring_b.keys[0])
        with pytest.raises(crypto.CryptoKeyError):
            ring_a.decrypt(stored)
    # The look-up column follows: every number is found by its hash under the new key, however written.
    for number in ("031 090 012 345", "031090012346", "001085000123"):
        found = session.scalar(select(Person.id).where(Person.id_number_hash == ring_b.lookup_hash(number)))
        assert found is not None, number
    # Idempotent.
    again = app_b.test_cli_runner().invoke(args=["crypto", "rotate"])
    assert again.exit_code == 0 and "Đã mã hóa lại 0 số giấy tờ" in again.output
    # The app configured with B alone now reads them through the API.
    make_app(DATA_ENCRYPTION_KEY=key_b)
    session.expire_all()
    assert sorted(p.id_number for p in session.scalars(select(Person).where(Person.id_number.is_not(None)))) == \
        sorted(ID_NUMBERS)
