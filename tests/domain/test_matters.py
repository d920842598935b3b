"""matters: same-matter grouping on the labelled development set, decoys, staff merge / split / rename."""
from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.domain.errors import Conflict, Forbidden
from service.domain.inbound import CITIZEN, Actor, InboundMessage, PersonData
from service.domain.intake import operations as intake
from service.domain.matters import index
from service.domain.matters import operations as matters
from service.models import Event, Matter, MatterSeparation, Petition, PetitionSignature
from tests import factories

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.timezone.utc)
DEV_SET = Path(__file__).resolve().parents[1] / "data" / "matters_dev.jsonl"
STAFF = Actor(label="Cán bộ Văn phòng", user_id=None, role="staff")


def dev_rows() -> list[dict]:
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(rows, key=lambda r: (-r["days_ago"], r["id"]))


def submit_row(session, row: dict, now: dt.datetime = NOW) -> Petition:
    when = now - dt.timedelta(days=row["days_ago"])
    person = row.get("petitioner")
    petition = factories.petition(session, row["content"], now=when, channel=row["channel"], title=row.get("title"),
                                  unit=row["unit"], kind=row.get("kind"), category=None,
                                  petitioner=PersonData(**person) if person else None,
                                  anonymous=bool(row.get("anonymous")), co_signers=row.get("co_signers", 0),
                                  consent=True)
    matters.on_petition_received(session, petition, now=when)
    return petition


def pairwise(rows: list[dict], predicted: dict[str, int]) -> tuple[float, float]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(rows, 2):
        same, joined = a["cluster"] == b["cluster"], predicted[a["id"]] == predicted[b["id"]]
        tp, fp, fn = tp + (same and joined), fp + (joined and not same), fn + (same and not joined)
    return tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)


@pytest.fixture
def dev_run(session):
    rows = dev_rows()
    predicted = {row["id"]: submit_row(session, row).matter_id for row in rows}
    session.flush()
    return rows, predicted


def test_dev_set_pairwise_precision_and_recall(dev_run):
    rows, predicted = dev_run
    precision, recall = pairwise(rows, predicted)
    print(f"matters dev set: pairwise precision {precision:.3f}, recall {recall:.3f}")
    # Automatic links only (issue #17: err on the side of asking): precision up, the rest are suggestions.
    assert precision >= 0.9 and recall >= 0.75


def test_decoys_stay_apart_from_the_cluster_they_imitate(dev_run):
    rows, predicted = dev_run
    by_cluster: dict[str, set[int]] = {}
    for row in rows:
        by_cluster.setdefault(row["cluster"], set()).add(predicted[row["id"]])
    decoys = [r for r in rows if r.get("decoy_of")]
    joined = {r["id"]: r["decoy"] for r in decoys if predicted[r["id"]] in by_cluster[r["decoy_of"]]}
    print(f"decoys joined to the cluster they imitate: {joined or 'none'} of {len(decoys)}")
    assert len(decoys) >= 15
    # Same topic at another place, and another official: always apart. Same place and another object: the two
    # hardest share the actor too (parents at the school's gate vs its fees; tour boats' wash vs their waste).
    assert "other_place" not in joined.values() and "other_person" not in joined.values(), joined
    assert len(joined) <= 2, joined


def test_dev_set_has_what_the_matcher_must_handle():
    rows = dev_rows()
    clusters = {r["cluster"] for r in rows if not r.get("decoy_of")}
    sizes = [sum(1 for r in rows if r["cluster"] == c) for c in clusters]
    assert len(clusters) >= 15 and min(sizes) >= 3 and max(sizes) <= 9
    assert {r["channel"] for r in rows} >= {"web", "telegram", "zalo", "hotline", "email", "sms", "in_person"}
    assert sum(1 for r in rows if r["content"].isascii()) >= 10  # typed without diacritics
    assert {r.get("decoy") for r in rows if r.get("decoy_of")} >= {"other_place", "other_object"}


def test_link_writes_event_with_score_and_shared_words_and_signature(session):
    rows = [r for r in dev_rows() if r["cluster"] == "c06"][:2]
    first, second = (submit_row(session, r) for r in rows)
    assert first.matter_id == second.matter_id
    linked = session.scalar(select(Event).where(Event.petition_id == second.id, Event.kind == "matter_linked"))
    assert linked.matter_id == first.matter_id and linked.data["score"] >= matters.LINK_SCORE
    assert "193" in linked.data["names"] and linked.data["profile"]["n"]
    opened = session.scalar(select(Event).where(Event.petition_id == first.id, Event.kind == "matter_opened"))
    assert opened.data["title"] == session.get(Matter, first.matter_id).title
    keys = session.scalar(select(func.count()).select_from(PetitionSignature)
                          .where(PetitionSignature.petition_id == second.id))
    assert 3 <= keys <= index.STORED + 3  # its heaviest shingles, and pairs of its strongest names


def test_same_topic_other_place_and_other_object_same_place_open_new_matters(session):
    base = dict(channel="web", unit="11341", consent=True)
    texts = ["Ngõ 193 Văn Cao ngập sâu mỗi khi mưa, cống thoát nước bị tắc, đề nghị nạo vét.",
             "ngo 193 van cao ngap nang, cong tac, nuoc vao nha",
             "Ngõ 68 Lạch Tray ngập sâu mỗi khi mưa, cống thoát nước bị tắc, đề nghị nạo vét.",
             "Ngõ 193 Văn Cao có quán karaoke hát to đến 2 giờ sáng, đề nghị xử lý tiếng ồn."]
    ids = []
    for i, text in enumerate(texts):
        when = NOW + dt.timedelta(hours=i)
        p = intake.submit(session, InboundMessage(content=text, **base), CITIZEN, now=when).petition
        ids.append(matters.on_petition_received(session, p, now=when).id)
    assert ids[0] == ids[1] and len({ids[0], ids[2], ids[3]}) == 3


def test_petition_older_than_ninety_days_and_closed_is_not_a_candidate(session):
    old = intake.submit(session, InboundMessage(channel="web", unit="11341", consent=True,
                                                content="Ngõ 193 Văn Cao ngập sâu, cống tắc."),
                        CITIZEN, now=NOW - dt.timedelta(days=200)).petition
    matters.on_petition_received(session, old, now=NOW - dt.timedelta(days=200))
    old.status, old.closed_at = "closed", NOW - dt.timedelta(days=150)
    new = intake.submit(session, InboundMessage(channel="web", unit="11341", consent=True,
                                                content="Ngõ 193 Văn Cao lại ngập sâu, cống tắc."),
                        CITIZEN, now=NOW).petition
    assert matters.on_petition_received(session, new, now=NOW).id != old.matter_id


def _cluster(session, name: str, n: int | None = None) -> list[Petition]:
    return [submit_row(session, r) for r in [r for r in dev_rows() if r["cluster"] == name][:n]]


def test_split_pairs_never_rejoin(session):
    petitions = _cluster(session, "c02", 4)
    moved = petitions[2]
    old = moved.matter_id
    assert all(p.matter_id == old for p in petitions)
    new = matters.split_petition(session, moved, STAFF, "Đơn này về một sự cố khác ở cùng thôn")
    assert moved.matter_id == new.id != old
    pairs = session.scalar(select(func.count()).select_from(MatterSeparation))
    assert pairs == 2 * (len(petitions) - 1)
    # Re-running the matcher on the split petition must not send it back.
    moved.matter_id = None
    assert matters.assign_matter(session, moved, now=NOW).id != old
    kinds = [e.kind for e in session.scalars(select(Event).where(Event.matter_id == new.id))]
    assert "matter_split" in kinds
    with pytest.raises(Conflict):
        matters.split_petition(session, moved, STAFF, "vụ việc chỉ còn một đơn")


def test_merge_moves_petitions_and_writes_events(session):
    a = _cluster(session, "c16", 1)[0]
    b = _cluster(session, "c15", 1)[0]
    keep, other = session.get(Matter, a.matter_id), session.get(Matter, b.matter_id)
    matters.merge_matters(session, keep, other, STAFF, "Cùng một đoàn công tác xử lý")
    assert b.matter_id == keep.id and other.status == "merged" and other.merged_into_id == keep.id
    assert keep.petitioner_count == 2
    reasons = {e.reason for e in session.scalars(select(Event).where(Event.kind == "matter_merged"))}
    assert reasons == {"Cùng một đoàn công tác xử lý"}
    with pytest.raises(Conflict):
        matters.merge_matters(session, keep, other, STAFF, "lần nữa")


def test_rename_needs_staff_and_reason_and_writes_event(session):
    p = _cluster(session, "c10", 1)[0]
    matter = session.get(Matter, p.matter_id)
    with pytest.raises(Forbidden):
        matters.rename_matter(session, matter, "Kè biển Hợp Đức", CITIZEN, "x")
    matters.rename_matter(session, matter, "Sạt lở kè biển Hợp Đức", STAFF, "Tên ngắn gọn hơn")
    event = session.scalar(select(Event).where(Event.kind == "matter_renamed", Event.matter_id == matter.id))
    assert matter.title == "Sạt lở kè biển Hợp Đức" and event.reason == "Tên ngắn gọn hơn"
    assert event.data["to"] == "Sạt lở kè biển Hợp Đức"


def test_matter_title_leaves_out_the_petitioners_name(session):
    row = next(r for r in dev_rows() if r["id"] == "c05-1")
    petition = submit_row(session, {**row, "days_ago": 0})
    title = session.get(Matter, petition.matter_id).title
    assert "Trịnh Văn Đức" not in title and title


def test_representatives_follow_article_29(session):
    crowd = [PersonData(name=f"Người {i}", phone=f"09120099{i:02d}", representative=i < 2) for i in range(6)]
    msg = InboundMessage(channel="in_person", unit="11668", consent=True, content="Đoàn 7 hộ thôn Phương Mỹ khiếu nại.",
                         petitioner=PersonData(name="Trưởng đoàn", phone="0912009999"), co_signers=crowd)
    petition = intake.submit(session, msg, CITIZEN, now=NOW).petition
    session.refresh(petition)
    assert [p.name for p in matters.representatives(petition)] == ["Người 0", "Người 1"]
    assert matters.representative_limits(7) == (1, 2) and matters.representative_limits(11) == (1, 5)
    assert not matters.needs_representatives(petition)
    for person in petition.people:
        person.representative = False
    assert matters.needs_representatives(petition)


CLUSTERS = Path(__file__).resolve().parents[2] / "config" / "corpus" / "clusters.jsonl"


def cluster_rows(cluster: str) -> list[dict]:
    rows = [json.loads(x) for x in CLUSTERS.read_text(encoding="utf-8").splitlines() if x.strip()]
    return sorted((r for r in rows if r["cluster"] == cluster), key=lambda r: (-r["days_ago"], r["id"]))


def test_shared_place_name_only_is_a_suggestion_and_inherits_no_flag(session):
    from service.domain.matters import flags, suggestions
    from service.models import Flag
    signs = [submit_row(session, r) for r in cluster_rows("n02")]  # six parents, five people: đông người
    assert len({p.matter_id for p in signs}) == 1
    assert session.scalar(select(Flag).where(Flag.matter_id == signs[0].matter_id, Flag.code == flags.DONG_NGUOI))
    flood = submit_row(session, {**cluster_rows("n01")[0], "days_ago": 1})  # "thị trấn Cát Bà": only where
    assert flood.matter_id != signs[0].matter_id
    assert all(s.matter_id != signs[0].matter_id or s.state == "pending" for s in
               suggestions.for_petition(session, flood))
    assert not session.scalars(select(Flag).where(Flag.petition_id == flood.id)).all()
    # Its real duplicate, typed without diacritics, is linked: the same ngõ 12 Hà Sen.
    dup = submit_row(session, {**cluster_rows("n01")[1], "days_ago": 0})
    assert dup.content.isascii() and dup.matter_id == flood.matter_id
    linked = session.scalar(select(Event).where(Event.petition_id == dup.id, Event.kind == "matter_linked"))
    assert "12" in linked.reason and linked.reason.startswith("Ghép tự động: cùng đối tượng")


def test_crowd_across_channels_counts_distinct_people(session):
    from service.domain.matters import flags
    rows = cluster_rows("n03")  # six petitions: one person twice (phone spelled two ways), four co-signers
    petitions = [submit_row(session, r) for r in rows]
    assert len({p.matter_id for p in petitions}) == 1
    assert flags.distinct_people(session, petitions[0].matter_id) == 8


def test_cluster_set_has_what_the_issue_asks():
    rows = [json.loads(x) for x in CLUSTERS.read_text(encoding="utf-8").splitlines() if x.strip()]
    clusters = {r["cluster"] for r in rows if r["cluster"]}
    assert len(clusters) >= 30
    assert {r["voice"] for r in rows} >= {"chat_no_marks", "chat", "hotline", "letter"}
    assert all({"unit", "field", "kind", "channel", "voice"} <= r.keys() for r in rows)
    assert {r.get("decoy") for r in rows} >= {"other_place", "other_object", "same_business"}


def test_answers_teach_the_matcher_place_words_and_trusted_objects(session):
    from service.domain.matters import learning, suggestions
    from service.domain.matters.profiles import Similarity
    from service.models import MatterSuggestion
    rows = cluster_rows("n02")[:1] + cluster_rows("n01")[:1] + cluster_rows("n13")[:1]
    signs, flood, dump = (submit_row(session, {**r, "days_ago": 3 - i}) for i, r in enumerate(rows))
    unit = signs.unit_id
    for petition in (flood, dump):  # the matcher asked (a shared place name only), or staff would have
        row = session.scalar(select(MatterSuggestion).where(MatterSuggestion.petition_id == petition.id,
                                                            MatterSuggestion.matter_id == signs.matter_id))
        if row is None:
            row = MatterSuggestion(petition_id=petition.id, matter_id=signs.matter_id, unit_id=unit, score=0.3,
                                   reason="trùng địa danh: Cát Bà", data={"names": ["cat ba"], "objects": []})
            session.add(row)
            session.flush()
        assert "cat ba" in row.data["names"] and petition.matter_id != signs.matter_id
        suggestions.decide(session, row, "reject", STAFF)
    lesson = learning.lessons(session, unit)
    assert "cat ba" in lesson.stop and not lesson.trusted
    s = Similarity(0.45, ["cat ba"], [], 0.05, 0.5, True, 1.0)
    weak = learning.without_stop_names(s, lesson)
    assert weak.names == [] and weak.strength == 0 and weak.score < s.score
    assert all(r.state == "rejected" for r in session.scalars(select(MatterSuggestion).where(
        MatterSuggestion.matter_id == signs.matter_id)))


def test_explanations_never_name_a_denouncer(session):
    from service.domain.matters import explain
    texts = [("Tôi là Phạm Thị Hương, trú tại thôn Kim Xuyên. Tôi tố cáo ông Trần Văn Hòa, công chức địa chính "
              "xã Kim Thành, đã nhận 10 triệu đồng của tôi để làm sổ đỏ thửa 77.", "Phạm Thị Hương", "0918007701"),
             ("Em là Phạm Thị Hương ở Kim Xuyên, tố cáo cán bộ địa chính Trần Văn Hòa xã Kim Thành ăn tiền làm sổ "
              "đỏ thửa 77 của nhà em.", "Phạm Thị Hương", "0918007702")]
    made = []
    for i, (text, name, phone) in enumerate(texts):
        made.append(submit_row(session, {"content": text, "channel": "web", "unit": "10804", "kind": "to_cao",
                                         "days_ago": 2 - i, "petitioner": {"name": name, "phone": phone}}))
    said = [e.reason or "" for e in session.scalars(select(Event).where(Event.kind.in_(
        ("matter_linked", "matter_suggested"))))]
    said += [explain.petition(session, p).link or "" for p in made]
    said += [s for p in made for _, s in explain.petition(session, p).suggestions]
    assert any(said)
    for sentence in said:
        assert "Hương" not in sentence and "Huong" not in sentence and "0918" not in sentence, sentence
