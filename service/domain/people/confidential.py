"""A petition's redacted text, derived once, and which text each reader gets.

Luật Tố cáo 2018 Điều 47 k2, Điều 56: a denouncer's name, address and personal data are kept secret and
stripped from the file before it reaches anyone who may not know who denounced. The redacted title and text
are derived at intake (and again when the kind changes) with `redaction.redact`: strictly for a denunciation
(every house number), with every person named for the other kinds (what public answers show). For a
denunciation whose denouncer did not disclose themselves, staff search matches only the redacted text, and
everyone `access.can_see_identity` refuses reads only it.
"""
from __future__ import annotations

from collections.abc import Iterable

from service.domain.people import redaction
from service.domain.people.access import can_see_identity
from service.domain.text import fold
from service.models.petition import Petition
from service.models.user import User


def sealed(petition: Petition) -> bool:
    """A denunciation whose denouncer has not disclosed their identity (TC Đ47 k2)."""
    return petition.kind == "to_cao" and not petition.identity_disclosed


def redacted(kind: str, text: str | None, names: Iterable[str] = (), addresses: Iterable[str] = ()) -> str | None:
    if text is None:
        return None
    strict = kind == "to_cao"
    return redaction.redact(text, names, addresses=addresses, strict=strict, public=not strict)


def folded_search_text(kind: str, disclosed: bool, title: str | None, content: str, title_redacted: str | None,
                       content_redacted: str) -> str:
    """What staff search matches: a sealed denunciation's redacted text, so its denouncer's name finds nothing."""
    if kind == "to_cao" and not disclosed:
        return fold(f"{title_redacted or ''} {redaction.without_placeholders(content_redacted)}")
    return fold(f"{title or ''} {content}")


def derive(petition: Petition, names: Iterable[str] | None = None, addresses: Iterable[str] | None = None) -> None:
    """Set the redacted title and text and the search text from the petition's own (and its people's) data."""
    people = list(petition.people) if names is None or addresses is None else []
    names = [p.name for p in people if p.name] if names is None else list(names)
    addresses = [p.address for p in people if p.address] if addresses is None else list(addresses)
    names += redaction.introduced_names(petition.content)  # "Tôi tên là …" in the text hides that name in the title
    petition.title_redacted = redacted(petition.kind, petition.title, names, addresses)
    petition.content_redacted = redacted(petition.kind, petition.content, names, addresses)
    petition.content_folded = folded_search_text(petition.kind, petition.identity_disclosed, petition.title,
                                                 petition.content, petition.title_redacted, petition.content_redacted)


def redacted_content(petition: Petition) -> str:
    if petition.content_redacted is None:  # not derived yet (a petition being built): derive it now
        return redacted(petition.kind, petition.content, [p.name for p in petition.people if p.name],
                        [p.address for p in petition.people if p.address]) or ""
    return petition.content_redacted


def shows_identity(user: User | None, petition: Petition) -> bool:
    return not sealed(petition) or can_see_identity(user, petition)


def content_for(user: User | None, petition: Petition) -> str:
    """The text this reader may see: the full text, or the redacted one for a sealed denunciation."""
    return petition.content if shows_identity(user, petition) else redacted_content(petition)


def title_for(user: User | None, petition: Petition) -> str | None:
    return petition.title if shows_identity(user, petition) else petition.title_redacted


def place_for(user: User | None, petition: Petition) -> str | None:
    """The place a denunciation is about may be the denouncer's own street: redacted like the text."""
    if petition.place is None or shows_identity(user, petition):
        return petition.place
    return redacted(petition.kind, petition.place, [p.name for p in petition.people if p.name])


def text_for(user: User | None, petition: Petition, text: str | None) -> str | None:
    """Any other text of the petition (a reply, a note) as this reader may see it."""
    if text is None or shows_identity(user, petition):
        return text
    return redacted(petition.kind, text, [p.name for p in petition.people if p.name],
                    [p.address for p in petition.people if p.address])


def list_title(petition: Petition) -> str | None:
    """Lists (inbox, API list) show a sealed denunciation's redacted title to everyone."""
    return petition.title_redacted if sealed(petition) else petition.title


def list_content(petition: Petition) -> str:
    return redacted_content(petition) if sealed(petition) else petition.content
