"""The candidate matters of a new petition: one indexed round trip (issue #19).

The shingle index (`index.probe_keys`) gives the live petitions sharing the most keys (names weigh more); the
same statement returns their matters' columns (the matter linked to needs no second read) and the recent
petitions of each with the profile kept in their matter event, for `operations.best_match` to re-rank.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, String, bindparam, column, text
from sqlalchemy.orm import Session

from service.domain.matters.profiles import Profile
from service.domain.matters.texts import content_words, petition_profile, stored_profile
from service.models.event import Event
from service.models.matter import Matter
from service.models.petition import Petition

CANDIDATES = 64  # live petitions taken from the index, most shared keys (names weigh more) first
MATTERS = 8  # candidate matters re-ranked
PER_MATTER = 6  # a matter is judged on its most recent petitions plus those the index found
PROFILE_EVENTS = ("matter_opened", "matter_linked")


@dataclass
class Candidate:
    row: tuple  # the matter's columns (MATTER_COLUMNS): the one linked to needs no second read
    profile: Profile
    text: str
    petition_ids: list[int]
    hits: int
    categories: dict[str, int]  # the fields of its petitions, counted

    @property
    def matter_id(self) -> int:
        return self.row[0]

    @property
    def unit_id(self) -> int:
        return self.row[1]

    @property
    def status(self) -> str:
        return self.row[2]


MATTER_COLUMNS = ("id", "unit_id", "status", "title", "merged_into_id", "petitioner_count", "created_at", "updated_at")

# One round trip: the index lookup (grouped on the index rows alone, then joined to the few best), the
# candidate matters, and the recent petitions of each with the profile kept in their matter event.
_CANDIDATES_SQL = """
WITH probe(bucket, weight) AS ({probe}),
hit AS (
  SELECT s.petition_id, sum(probe.weight) AS hits
  FROM petition_signatures s JOIN probe ON s.bucket = probe.bucket
  WHERE s.petition_id <> :pid
  GROUP BY s.petition_id ORDER BY hits DESC, s.petition_id DESC LIMIT :wide),
cand AS (
  SELECT p.id, p.matter_id, hit.hits FROM hit JOIN petitions p ON p.id = hit.petition_id
  WHERE p.matter_id IS NOT NULL AND (p.received_at >= :since OR p.closed_at >= :since)
    AND NOT EXISTS (SELECT 1 FROM matter_separations ms JOIN petitions o ON o.id = ms.petition_b_id
                    WHERE ms.petition_a_id = :pid AND o.matter_id = p.matter_id)
  ORDER BY hit.hits DESC, p.id DESC LIMIT :candidates),
top AS (
  SELECT matter_id, max(hits) AS hits FROM cand GROUP BY matter_id
  ORDER BY max(hits) DESC, matter_id LIMIT :matters),
member AS (
  SELECT p.id, p.matter_id, p.content_folded, p.category,
         row_number() OVER (PARTITION BY p.matter_id ORDER BY p.received_at DESC, p.id DESC) AS rank
  FROM petitions p JOIN top ON top.matter_id = p.matter_id
  WHERE p.received_at >= :since OR p.closed_at >= :since)
SELECT member.id, member.matter_id, member.content_folded, member.category, top.hits, m.unit_id, m.status,
       m.title, m.merged_into_id, m.petitioner_count, m.created_at, m.updated_at,
       (SELECT e.data FROM events e WHERE e.petition_id = member.id AND e.kind IN {kinds}
        ORDER BY e.id LIMIT 1) AS data
FROM member JOIN top ON top.matter_id = member.matter_id JOIN matters m ON m.id = member.matter_id
WHERE member.rank <= :per_matter OR member.id IN (SELECT id FROM cand)
ORDER BY top.hits DESC, member.matter_id, member.rank
"""
_PG_PROBE = "SELECT * FROM unnest(CAST(:buckets AS integer[]), CAST(:weights AS integer[]))"


def find_candidates(session: Session, petition: Petition, rows: list[tuple[int, int]], since: dt.datetime
                ) -> list[Candidate]:
    """Each candidate matter with the profile of its recent petitions and of those the index found (a petition
    stored before matching existed has no profile event: it is computed)."""
    params = {"pid": petition.id or 0,  # 0: a petition not stored yet (intake matches before its flush)
              "since": since, "wide": 2 * CANDIDATES, "candidates": CANDIDATES, "matters": MATTERS,
              "per_matter": PER_MATTER}
    if session.get_bind().dialect.name == "postgresql":  # arrays: the SQL text never changes, it is prepared once
        sql = _CANDIDATES_SQL.format(probe=_PG_PROBE, kinds=PROFILE_EVENTS)
        params.update(buckets=[k for k, _ in rows], weights=[w for _, w in rows])
    else:
        sql = _CANDIDATES_SQL.format(kinds=PROFILE_EVENTS, probe="VALUES " + ", ".join(
            f"(:k{i}, :w{i})" for i in range(len(rows))))
        params.update({f"k{i}": k for i, (k, _) in enumerate(rows)})
        params.update({f"w{i}": w for i, (_, w) in enumerate(rows)})
    stmt = text(sql).bindparams(bindparam("since", type_=Petition.__table__.c.received_at.type)).columns(
        column("id", Integer), column("matter_id", Integer), column("content_folded", String),
        column("category", String), column("hits", Integer), column("unit_id", Integer), column("status", String),
        *(column(name, Matter.__table__.c[name].type) for name in MATTER_COLUMNS[3:]),
        column("data", Event.__table__.c.data.type))
    out: dict[int, Candidate] = {}
    for pid, mid, folded, category, hits, unit_id, status, *matter, data in session.execute(stmt, params):
        c = out.setdefault(mid, Candidate((mid, unit_id, status, *matter), Profile(), "", [], hits, {}))
        c.categories[str(category)] = c.categories.get(str(category), 0) + 1
        c.profile.add(stored_profile(data) or petition_profile(session.get(Petition, pid)))
        c.text = f"{c.text} {content_words(folded)}"
        c.petition_ids.append(pid)
    return list(out.values())
