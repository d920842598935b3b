"""The e-mail sender: SMTP (`SMTP_URL` smtp://user:pass@host:port, STARTTLS when the server offers it, or
smtps://… for TLS from the first byte), from MAIL_FROM, plain text plus HTML in Vietnamese, with the answer in
full and its files attached.

The subject carries the tracking code in brackets ("[Đơn ABC123]") so that a citizen's reply is matched to
its petition (service.jobs.mailbox). The Message-ID is derived from the outbox row, so a message resent after
a lost answer from the server is recognisably the same one; it is what staff see as the provider id.
"""
from __future__ import annotations

import html
import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from service.models.attachment import Attachment
from service.outbound import Outgoing, SendError
from service.outbound.sms import status_link

logger = logging.getLogger(__name__)

SUBJECTS = {"received": "Giấy báo tiếp nhận đơn", "answer": "Trả lời đơn", "thu_ly": "Thông báo thụ lý đơn",
            "khong_thu_ly": "Thông báo không thụ lý đơn", "chuyen_don": "Thông báo chuyển đơn",
            "huong_dan": "Hướng dẫn về đơn", "gia_han": "Thông báo gia hạn giải quyết đơn",
            "reopened": "Đơn được mở lại để xem xét"}
PERMANENT_CODES = range(550, 554)  # mailbox unavailable, not local, exceeded storage, name not allowed


class SmtpSettings:
    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL: cần dạng smtp://user:pass@host:port hoặc smtps://… (smtp:// or smtps://)")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 587)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None


def subject(message: Outgoing) -> str:
    payload = message.payload or {}
    title = SUBJECTS.get(str(payload.get("reply_kind") or payload.get("notice") or ""), "Thông báo về đơn")
    code = payload.get("code")
    return f"[Đơn {code}] {title}" if code else title


def html_body(text: str, link: str | None) -> str:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    more = (f'<p>Tra cứu tình trạng đơn: <a href="{html.escape(link)}">{html.escape(link)}</a></p>'
            if link else "")
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>{paragraphs}{more}'
            '<p style="color:#555">Thư này được gửi tự động; ông/bà có thể trả lời thư, giữ nguyên mã đơn ở tiêu '
            'đề.</p></body></html>')


class EmailSender:
    def __init__(self, database: Any, settings: Mapping[str, Any], *, timeout: float = 15.0):
        self.database, self.settings, self.timeout = database, settings, timeout
        self.smtp = SmtpSettings(str(settings.get("SMTP_URL") or ""))
        self.sender = str(settings.get("MAIL_FROM") or "")

    def compose(self, message: Outgoing, cte: str = "8bit") -> EmailMessage:
        payload = message.payload or {}
        code = payload.get("code")
        link = status_link(self.settings, code) if code else None
        text = message.text + (f"\n\nTra cứu tình trạng đơn: {link}" if link else "")
        mail = EmailMessage()
        mail["Subject"] = subject(message)
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Date"] = formatdate(localtime=True)
        domain = self.sender.rpartition("@")[2] or "tiepdan.local"
        mail["Message-ID"] = f"<outbox-{message.id}@{domain}>"
        mail.set_content(text, cte=cte)
        mail.add_alternative(html_body(message.text, link), subtype="html", cte=cte)
        for name, content_type, data in self._files(payload.get("attachment_ids") or []):
            maintype, _, subtype = content_type.partition("/")
            mail.add_attachment(data, maintype=maintype or "application", subtype=subtype or "octet-stream",
                                filename=name)
        return mail

    def _files(self, ids: list[int]) -> list[tuple[str, str, bytes]]:
        if not ids or self.database is None:
            return []
        with self.database.session_scope() as session:
            rows = session.scalars(select(Attachment).where(Attachment.id.in_(ids), Attachment.erased_at.is_(None))
                                   .order_by(Attachment.id))
            return [(a.filename, a.content_type, a.data) for a in rows]

    def __call__(self, message: Outgoing) -> str | None:
        if not self.sender:
            raise SendError("email: MAIL_FROM is not set")
        try:
            Address(addr_spec=message.recipient)
        except Exception as exc:  # a malformed address (HeaderParseError, ValueError) fails the same way every time
            raise SendError("email: the recipient is not an e-mail address", permanent=True) from exc
        try:
            with self._connect() as smtp:
                eight_bit = smtp.has_extn("8bitmime")  # else 7-bit: quoted-printable for an old server
                mail = self.compose(message, "8bit" if eight_bit else "quoted-printable")
                options = ["BODY=8BITMIME"] if eight_bit else []
                refused = smtp.send_message(mail, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise SendError(f"email refused by the server ({codes})",
                            permanent=all(c in PERMANENT_CODES for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"email: server answered {exc.smtp_code}",
                            permanent=exc.smtp_code in PERMANENT_CODES) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"email: SMTP unavailable ({exc.__class__.__name__})") from exc
        if refused:
            raise SendError(f"email refused for {len(refused)} recipient(s)", permanent=True)
        return mail["Message-ID"]

    def _connect(self) -> smtplib.SMTP:
        s = self.smtp
        context = ssl.create_default_context()
        if s.tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if not s.tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except Exception:
            smtp.close()
            raise
        return smtp


def build(database: Any, settings: Mapping[str, Any], **options: Any) -> EmailSender:
    """The registry's factory (service.outbound.build)."""
    return EmailSender(database, settings, **options)
