"""redacted text: each petition's title and content without personal data, derived once

Luật Tố cáo 2018 Điều 47 k2, Điều 56: a denouncer's name, address and personal data never reach those who
may not know who denounced. Existing rows get their redacted title and text from the same function intake
uses (service.domain.people.confidential / redaction); a sealed denunciation's search text becomes its redacted
text; a matter a denunciation opened loses the title taken from its text (unless staff renamed it), and the
matching profile kept in its events is computed again from the redacted text.

Revision ID: e14red000001
Revises: 4e9047000004
Create Date: 2026-12-06 10:05:00
"""
from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

import service.db

revision = "e14red000001"
down_revision = "e14aut000001"
branch_labels = None
depends_on = None

petitions = sa.table("petitions", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                     sa.column("category", sa.String), sa.column("unit_id", sa.Integer),
                     sa.column("identity_disclosed", sa.Boolean), sa.column("title", sa.Text),
                     sa.column("content", sa.Text), sa.column("place", sa.Text), sa.column("content_folded", sa.Text),
                     sa.column("title_redacted", sa.Text), sa.column("content_redacted", sa.Text))
people = sa.table("people", sa.column("petition_id", sa.Integer), sa.column("name", sa.String),
                  sa.column("address", sa.Text))
units = sa.table("units", sa.column("id", sa.Integer), sa.column("name", sa.String),
                 sa.column("short_name", sa.String), sa.column("kind", sa.String))
matters = sa.table("matters", sa.column("id", sa.Integer), sa.column("title", sa.Text))
events = sa.table("events", sa.column("id", sa.Integer), sa.column("petition_id", sa.Integer),
                  sa.column("matter_id", sa.Integer), sa.column("kind", sa.String), sa.column("data", service.db.JsonDoc))
BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_redacted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("content_redacted", sa.Text(), nullable=True))
    _backfill(op.get_bind())


def _backfill(bind) -> None:
    # The application's own functions, so old and new rows are redacted alike (as 5ec0e1000003 uses crypto).
    from service.domain.matters import operations as matching
    from service.domain.matters import titles as matter_titles
    from service.domain.people import confidential, redaction

    unit_rows = {u.id: SimpleNamespace(name=u.name, short_name=u.short_name, kind=u.kind)
                 for u in bind.execute(sa.select(units.c.id, units.c.name, units.c.short_name, units.c.kind))}
    renamed = set(bind.scalars(sa.select(events.c.matter_id).where(events.c.kind == "matter_renamed")))
    last = 0
    while True:
        rows = bind.execute(sa.select(petitions).where(petitions.c.id > last).order_by(petitions.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        folks: dict[int, list] = {}
        for row in bind.execute(sa.select(people.c.petition_id, people.c.name, people.c.address)
                                .where(people.c.petition_id.in_([r.id for r in rows]))):
            folks.setdefault(row.petition_id, []).append(SimpleNamespace(name=row.name, address=row.address))
        for r in rows:
            person = folks.get(r.id, [])
            names = [p.name for p in person if p.name] + redaction.introduced_names(r.content)
            addresses = [p.address for p in person if p.address]
            title_r = confidential.redacted(r.kind, r.title, names, addresses)
            content_r = confidential.redacted(r.kind, r.content, names, addresses)
            folded = confidential.folded_search_text(r.kind, bool(r.identity_disclosed), r.title, r.content, title_r,
                                                     content_r)
            bind.execute(petitions.update().where(petitions.c.id == r.id).values(
                title_redacted=title_r, content_redacted=content_r, content_folded=folded))
            if r.kind != "to_cao":
                continue
            petition = SimpleNamespace(id=r.id, kind=r.kind, category=r.category, unit=unit_rows[r.unit_id],
                                       identity_disclosed=bool(r.identity_disclosed), title=r.title,
                                       content=r.content, place=r.place, title_redacted=title_r,
                                       content_redacted=content_r, people=person)
            _denunciation_matter(bind, petition, renamed, matter_titles, matching)


def _denunciation_matter(bind, petition, renamed: set, matter_titles, matching) -> None:
    """Its matter's title and the profile its matter events keep, from the redacted text only."""
    encoded = matching.encode_profile(matching.petition_profile(petition))
    for ev in bind.execute(sa.select(events.c.id, events.c.matter_id, events.c.kind, events.c.data).where(
            events.c.petition_id == petition.id, events.c.kind.in_(("matter_opened", "matter_linked")))).all():
        data = dict(ev.data or {})
        if "profile" in data:
            data["profile"] = encoded
        if ev.kind == "matter_opened" and ev.matter_id is not None and ev.matter_id not in renamed:
            title = matter_titles.title_for(petition)
            data["title"] = title
            bind.execute(matters.update().where(matters.c.id == ev.matter_id).values(title=title))
        bind.execute(events.update().where(events.c.id == ev.id).values(data=data))


def downgrade() -> None:
    # The full text is still in `content`: the search text of a denunciation is rebuilt from it. Matter titles
    # stay neutral (nothing to restore them from, and nothing lost).
    from service.domain.text import fold

    bind = op.get_bind()
    for r in bind.execute(sa.select(petitions.c.id, petitions.c.title, petitions.c.content)
                          .where(petitions.c.kind == "to_cao")).all():
        bind.execute(petitions.update().where(petitions.c.id == r.id)
                     .values(content_folded=fold(f"{r.title or ''} {r.content}")))
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("content_redacted")
        batch_op.drop_column("title_redacted")
