"""The petition form's inputs: from the posted form to the InboundMessage every channel produces, the crowd
of co-signers and its representatives (Luật Tiếp công dân Điều 29), and which input shows each error.
The pages are in service/web/public.py."""
from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import FileStorage, MultiDict

from service.domain.inbound import AttachmentData, InboundMessage, Location, PersonData, contact_refusals
from service.domain.intake.validation import MAX_CO_SIGNERS
from service.domain.matters import flags
from service.domain.matters import operations as matters

# Representatives of a crowd (Luật Tiếp công dân Điều 29): rows rep-<n>-name/phone/address, n = 1..the most
# the law allows, and a box for "I, the sender, am one of them".
MAX_REPRESENTATIVES = matters.representative_limits(MAX_CO_SIGNERS + 1)[1]
REP_ROWS = tuple(range(1, MAX_REPRESENTATIVES + 1))
# For form.js: [[from people, fewest, most], …] wherever the law's limits change.
REP_LIMITS = [[n, *matters.representative_limits(n)] for n in range(flags.CROWD, MAX_CO_SIGNERS + 2)
              if n == flags.CROWD or matters.representative_limits(n) != matters.representative_limits(n - 1)]
REP_RULE = ", ".join(
    (f"từ {start} đến {nxt[0] - 1} người" if nxt else f"từ {start} người trở lên") + f" cử từ {low} đến {high} người"
    for (start, low, high), nxt in zip(REP_LIMITS, [*REP_LIMITS[1:], None]))
REP_INPUTS = tuple(f"rep-{n}-{part}" for n in REP_ROWS for part in ("name", "phone", "address"))

# Domain field name -> the form input that shows its error.
FIELD_INPUTS = {
    "unit": "unit", "kind": "kind", "title": "title", "content": "content", "location.address": "place",
    "attachments": "attachments", "petitioner": "name", "petitioner.name": "name", "petitioner.address": "address",
    "location.lat": "lat", "location.lon": "long",
    "petitioner.phone": "phone", "petitioner.email": "email", "co_signers": "co_signers", "consent": "consent",
    "representatives": "representatives", "rep_self": "rep_self", "petitioner.representative": "rep_self",
    **{name: name for name in REP_INPUTS},
}
# The order of the inputs on the page, so the error summary reads top to bottom.
FIELD_ORDER = ("unit", "kind", "title", "content", "place", "lat", "long", "attachments", "name", "address", "phone",
               "email", "co_signers", "representatives", "rep_self", *REP_INPUTS, "consent")


def message_from_form(form: MultiDict, files: list[FileStorage], crowd: Crowd | None = None) -> InboundMessage:
    """The form as the one contract every channel produces; empty inputs become None. The representatives
    are listed as co-signers with `representative=True`, beside the count of all co-signers; whether they
    are enough, and consent, is intake's law (service/domain/intake/law.py)."""
    def text(name: str) -> str | None:
        return form.get(name) or None

    crowd = crowd or crowd_from_form(form)
    person = PersonData(name=text("name"), phone=text("phone"), email=text("email"), address=text("address"),
                        representative=crowd.sender_represents, **contact_refusals(form))
    has_person = any((person.name, person.phone, person.email, person.address))
    place = text("place")
    lat, lon = coordinates(form)
    return InboundMessage(
        channel="web", content=form.get("content", ""), title=text("title"), unit=text("unit"), kind=text("kind"),
        petitioner=person if has_person else None, anonymous=bool(form.get("anonymous")),
        co_signers=[p for _, p in crowd.listed] or crowd.count, co_signer_total=crowd.count,
        location=Location(lat=lat, lon=lon, address=place) if place or lat is not None else None,
        attachments=[AttachmentData(f.filename or "tep", f.read(), f.mimetype) for f in files],
        consent=bool(form.get("consent")), allow_publication=bool(form.get("allow_publication")),
    )


def coordinates(form: MultiDict) -> tuple[float | None, float | None]:
    """The map pin's optional lat / long inputs (issue #22): both numbers, or neither (intake checks the ranges)."""
    try:
        lat, lon = float(form.get("lat") or ""), float(form.get("long") or "")
    except ValueError:
        return None, None
    return lat, lon


@dataclass
class Crowd:
    """The co-signers part of the form: their count, the representatives named (rows rep-<n>-…), and
    whether the sender is one of them."""

    count: int
    listed: list[tuple[int, PersonData]] = field(default_factory=list)  # (form row, representative)
    sender_represents: bool = False

    def placed(self, fields: dict[str, list[str]]) -> dict[str, list[str]]:
        """Intake's errors with 'co_signers.<i>.phone' renamed to the row's input, 'rep-<n>-phone'."""
        out: dict[str, list[str]] = {}
        for name, messages in fields.items():
            parts = name.split(".")
            if len(parts) == 3 and parts[0] == "co_signers" and parts[1].isdigit() and int(parts[1]) < len(self.listed):
                name = f"rep-{self.listed[int(parts[1])][0]}-{parts[2]}"
            out.setdefault(name, []).extend(messages)
        return out


def crowd_from_form(form: MultiDict) -> Crowd:
    """The co-signers' count and the representatives' rows as typed; intake checks them against Luật Tiếp
    công dân Điều 29 (`law.representatives`) and its errors come back on these rows (`Crowd.placed`)."""
    listed = []
    for n in REP_ROWS:
        values = {part: (form.get(f"rep-{n}-{part}") or "").strip() or None for part in ("name", "phone", "address")}
        if any(values.values()):
            listed.append((n, PersonData(**values, representative=True)))
    return Crowd(_count(form.get("co_signers", "")), listed, sender_represents=bool(form.get("rep_self")))


def _count(value: str) -> int:
    """A typed number of co-signers; anything else becomes -1, which intake refuses with its message."""
    value = value.strip()
    if not value:
        return 0
    return int(value) if value.isdigit() and len(value) < 10 else -1


def place_errors(fields: dict[str, list[str] | str]) -> tuple[dict[str, list[str]], list[str]]:
    """Domain field errors keyed by form input; those no input shows (channel, round…) go to the summary."""
    placed: dict[str, list[str]] = {}
    general: list[str] = []
    for name, messages in fields.items():
        messages = [messages] if isinstance(messages, str) else list(messages)
        target = FIELD_INPUTS.get(name) or FIELD_INPUTS.get(name.split(".")[0])
        if target:
            placed.setdefault(target, []).extend(messages)
        else:
            general.extend(messages)
    return placed, general
