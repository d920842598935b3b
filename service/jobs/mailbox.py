"""The office mailbox, read over IMAP by the jobs process (job `mailbox`): every letter becomes a petition or
a reply to one (service.domain.intake.mail), once per Message-ID.

IMAP_URL: imaps://user:pass@host:993/INBOX (TLS), or imap://user:pass@host:143/INBOX (STARTTLS when the server
offers it). Letters are read whole (BODY.PEEK[]) and marked \\Seen only after their transaction committed, so
a crash in between reads them again and the Message-ID keeps them from becoming two petitions. IMAP_UNIT
names the unit the mailbox belongs to (empty: the city).
"""
from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from service.db import Database
from service.domain.intake import mail

logger = logging.getLogger(__name__)


@dataclass
class MailboxResult:
    read: int = 0
    petitions: int = 0
    replies: int = 0
    skipped: int = 0


def _connect(url: str, timeout: float) -> tuple[imaplib.IMAP4, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("IMAP_URL: cần dạng imaps://user:pass@host:993/INBOX (imaps:// or imap://)")
    context = ssl.create_default_context()
    if parts.scheme == "imaps":
        imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(parts.hostname, parts.port or 993, ssl_context=context,
                                                timeout=timeout)
    else:
        imap = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=timeout)
        if "STARTTLS" in imap.capabilities:
            imap.starttls(ssl_context=context)
    imap.login(unquote(parts.username or ""), unquote(parts.password or ""))
    return imap, unquote(parts.path.strip("/")) or "INBOX"


def read_mailbox(database: Database, settings: Mapping[str, Any] | None = None, *, timeout: float = 20.0,
                 limit: int = 50) -> MailboxResult:
    """Take every unseen letter (at most `limit` a run)."""
    settings = settings or {}
    url = str(settings.get("IMAP_URL") or "")
    result = MailboxResult()
    if not url:
        return result
    imap, folder = _connect(url, timeout)
    try:
        imap.select(folder)
        status, data = imap.uid("SEARCH", None, "UNSEEN")
        uids = (data[0] or b"").split()[:limit] if status == "OK" else []
        for uid in uids:
            status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None) if status == "OK" else None
            if raw is None:
                continue
            result.read += 1
            with database.session_scope() as session:
                taken = mail.take(session, raw, unit=str(settings.get("IMAP_UNIT") or "") or None)
            if taken.kind == "petition":
                result.petitions += 1
            elif taken.kind == "reply":
                result.replies += 1
            else:
                result.skipped += 1
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    logger.info("mailbox: %s read, %s petitions, %s replies", result.read, result.petitions, result.replies)
    return result
