"""Who stands behind a matter, each person once (đông người: Luật Tiếp công dân Điều 29; TT 07/2014 Điều 6
khoản 4): the petitioners and co-signers of its petitions across channels, and the citizens who support it
("tôi cũng gặp vấn đề này", issue #22) without sending a petition of their own."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from service.domain.text import fold
from service.models.person import Person
from service.models.petition import Petition
from service.models.reception import Supporter


def petitioners_on(petition: Petition) -> int:
    """People who signed one petition: the petitioner and the co-signers (counted or listed)."""
    listed = len(petition.people)
    return max(listed, 1 + (petition.co_signer_count or 0))


def distinct_people(session: Session, matter_id: int, since: dt.datetime | None = None) -> int:
    """Đông người (Luật Tiếp công dân Điều 29; TT 07/2014 Đ6 k4): the distinct people behind a matter's
    petitions (received since `since` when given), across channels, co-signers included (`count_people`).
    Citizens who support the matter (supporters) count as people too."""
    stmt = select(Petition).where(Petition.matter_id == matter_id).options(joinedload(Petition.people))
    if since is not None:
        stmt = stmt.where(Petition.received_at >= since)
    return count_people(session.scalars(stmt).unique(), supporter_keys(session, matter_id, since))


def supporter_keys(session: Session, matter_id: int | None, since: dt.datetime | None = None) -> list[list[tuple]]:
    """Each supporter of the matter (supported since `since` when given) as the keys of a person: a supporter
    who also signed one of its petitions, by phone or chat account, is the same person."""
    return [keys for keys, at in dated_supporter_keys(session, matter_id) if since is None or at >= since]


def dated_supporter_keys(session: Session, matter_id: int | None) -> list[tuple[list[tuple], dt.datetime]]:
    """`supporter_keys` with when each supported: one query serves both the matter's count and the 90 days'."""
    if matter_id is None:
        return []
    stmt = select(Supporter.phone, Supporter.channel, Supporter.chat_user_id, Supporter.created_at).where(
        Supporter.matter_id == matter_id)
    return [(supporter_keys_of(phone, channel, chat), at) for phone, channel, chat, at in session.execute(stmt)]


def supporter_keys_of(phone: str, channel: str | None, chat_user_id: str | None) -> list[tuple]:
    """A supporter as the keys of a person (`count_people`): the phone, and the chat account they used."""
    return [("phone", phone)] + ([("chat", channel, chat_user_id)] if chat_user_id else [])


def count_people(petitions: Iterable[Petition], others: Iterable[list[tuple]] = ()) -> int:
    """People behind petitions, each once: the same phone (stored normalised: "+84 912…" is "0912…"), the same
    folded name and address, or the same chat account is one person. Co-signers counted but not listed, and
    anonymous senders, cannot be told apart: each counts."""
    parent: dict[tuple, tuple] = {}

    def find(k: tuple) -> tuple:
        while parent.setdefault(k, k) != k:
            k = parent[k]
        return k

    unknown = 0
    for p in petitions:
        people = [x for x in p.people if x.phone or x.name_folded or x.chat_user_id]
        for person in people:
            keys = _keys(person)
            for k in keys[1:]:
                parent[find(k)] = find(keys[0])
            find(keys[0])
        unknown += max(0, petitioners_on(p) - len(people))
    for keys in others:  # supporters: already keyed
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
        find(keys[0])
    return len({find(k) for k in parent}) + unknown


def _keys(person: Person) -> list[tuple]:
    keys: list[tuple] = []
    if person.phone:
        keys.append(("phone", person.phone))
    if person.name_folded and person.address:
        keys.append(("name", person.name_folded, fold(person.address)))
    if person.chat_user_id:
        keys.append(("chat", person.chat_channel, person.chat_user_id))
    return keys or [("person", person.id if person.id is not None else f"new:{id(person)}")]  # not flushed yet
