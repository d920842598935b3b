"""The next channel of a notice that its channel could not carry (service.outbound.Unreachable).

A notice to a citizen carries its fallback chain in its payload (service.domain.notifications.citizens):
a chat message -> ZNS -> SMS, ZNS -> SMS. The next link is queued with the dedupe key `fallback:<row id>`,
so a retried dispatch never queues it twice, and carries the rest of the chain. A message without a chain
(the chat's own prompts, staff messages) has nowhere else to go.
"""
from __future__ import annotations

import logging

from service.db import Database
from service.domain.notifications import outbox as notify
from service.models.petition import Petition
from service.outbound import Outgoing

logger = logging.getLogger(__name__)

CHAT_ONLY = ("buttons", "inline", "prompt")  # what a ZNS, SMS or e-mail instead of a chat message leaves out


def fall_back(database: Database, message: Outgoing, why: str) -> str:
    """Queue the next link of the message's chain; returns the failure reason to store on this row."""
    chain = list((message.payload or {}).get("fallback") or [])
    if not chain:
        return f"{why}; no other channel for this message"
    nxt, rest = chain[0], chain[1:]
    payload = {k: v for k, v in (message.payload or {}).items() if k not in CHAT_ONLY and k != "fallback"}
    payload.update({"fallback_from": message.channel, "fallback_of": message.id})
    if rest:
        payload["fallback"] = rest
    with database.session_scope() as session:
        petition = session.get(Petition, message.petition_id) if message.petition_id else None
        row = notify.enqueue(session, channel=nxt["channel"], recipient=nxt["recipient"], text=message.text,
                             petition=petition, dedupe_key=f"fallback:{message.id}", payload=payload)
        row_id = row.id if row is not None else "already queued"
    logger.info("outbox %s (%s) unreachable; queued for %s instead", message.id, message.channel, nxt["channel"])
    return f"{why}; queued for {nxt['channel']} instead (outbox {row_id})"
