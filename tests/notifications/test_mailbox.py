"""Mail to the office mailbox (a real dovecot IMAP server) becomes a petition, once per Message-ID, flagged
for Văn phòng to confirm the sender; a reply carrying the tracking code in its subject joins its petition."""
from __future__ import annotations

import os
import shutil
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from service.jobs.mailbox import read_mailbox
from service.models.attachment import Attachment
from service.models.event import Event
from service.models.person import Person
from service.models.petition import Petition
from tests.helpers import png_bytes
from tests.notifications import dovecot

pytestmark = pytest.mark.skipif(not dovecot.available(), reason="dovecot-imapd is not installed (install.sh --system)")


@pytest.fixture
def mailbox():
    root = Path(tempfile.mkdtemp(prefix="tiepdan-dovecot-"))  # dovecot's own users must reach it: not under
    os.chmod(root, 0o755)  # pytest's private tmp_path
    server = dovecot.Dovecot(root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def letter(subject: str, body: str, message_id: str, photo: bool = False) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Trần Văn Thư <thu.tran@example.vn>"
    mail["To"] = "tiepdan@kimthanh.haiphong.gov.vn"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    mail.set_content(body)
    if photo:
        mail.add_attachment(png_bytes(), maintype="image", subtype="png", filename="nap-cong.png")
    return bytes(mail)


def test_a_letter_becomes_one_petition_flagged_for_the_office(mailbox, database, session):
    mailbox.deliver(letter("Đề nghị sửa đèn đường thôn Lai Khê",
                           "Đèn đường đoạn từ chợ Lai Khê đến trạm y tế xã tắt cả tuần nay, buổi tối rất tối, "
                           "đề nghị xã cho sửa.", "<den-duong-1@example.vn>", photo=True))
    settings = {"IMAP_URL": mailbox.url, "IMAP_UNIT": "Xã Kim Thành"}
    result = read_mailbox(database, settings)
    assert (result.read, result.petitions) == (1, 1), mailbox.log()
    petition = session.scalar(select(Petition))
    assert petition.channel == "email" and petition.needs_review and "Lai Khê" in petition.content
    assert petition.unit.name == "Xã Kim Thành"
    person = session.scalar(select(Person).where(Person.petition_id == petition.id))
    assert person.email == "thu.tran@example.vn" and person.name == "Trần Văn Thư"
    assert session.scalar(select(Attachment.filename).where(Attachment.petition_id == petition.id)) == "nap-cong.png"
    flag = session.scalar(select(Event).where(Event.kind == "sender_to_confirm"))
    assert flag.petition_id == petition.id and "xác nhận người gửi" in flag.reason

    # The same letter again (a second copy, or the flag lost before a crash): still one petition.
    mailbox.deliver(letter("Đề nghị sửa đèn đường thôn Lai Khê", "Đèn đường tắt.", "<den-duong-1@example.vn>"))
    assert read_mailbox(database, settings).skipped == 1
    assert len(session.scalars(select(Petition)).all()) == 1
    assert read_mailbox(database, settings).read == 0  # read letters are marked seen


def test_a_reply_with_the_code_in_the_subject_joins_its_petition(mailbox, database, session):
    mailbox.deliver(letter("Cống thoát nước bị vỡ", "Cống trước nhà số 14 thôn Lai Khê bị vỡ nắp, nước thải "
                           "tràn ra đường.", "<cong-1@example.vn>"))
    settings = {"IMAP_URL": mailbox.url}
    read_mailbox(database, settings)
    code = session.scalar(select(Petition.code))
    mailbox.deliver(letter(f"Re: [Đơn {code}] Giấy báo tiếp nhận đơn", "Tôi gửi thêm ảnh hiện trường.\n> trích thư cũ",
                           "<cong-2@example.vn>", photo=True))
    result = read_mailbox(database, settings)
    assert result.replies == 1 and result.petitions == 0
    session.expire_all()
    assert len(session.scalars(select(Petition)).all()) == 1
    reply = session.scalar(select(Event).where(Event.kind == "citizen_replied"))
    assert "ảnh hiện trường" in reply.reason and "trích thư cũ" not in reply.reason
