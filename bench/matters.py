"""Same-matter matching: pairwise precision and recall on the cluster set config/corpus/clusters.jsonl (overall and
per voice, with automatic links only and after Văn phòng answers each suggestion; goal ≥ 0.9 each), đông người
missed (goal 0), then the time
to match a new petition against N stored petitions on PostgreSQL (goal p95 ≤ 20 ms at 1,000,000), next to a
brute-force re-rank of every live petition of the unit in the same run: speed-up and recall against it.

    python bench/matters.py [--size 1000000] [--queries 300] [--workers 2]   (default --size 20000)
    python bench/matters.py --dev-only      the cluster set alone, on SQLite

The stored corpus is synthetic (24 topics × generated places in every commune, 3 years, chat / letter /
hotline wordings, some without diacritics), loaded with COPY into a fresh database; every query runs in its
own transaction and is rolled back, so N stays fixed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from bench.common import fresh_database  # noqa: E402
from service.cli import run_setup  # noqa: E402
from service.db import Database  # noqa: E402
from service.domain.inbound import CITIZEN, Actor, InboundMessage, PersonData  # noqa: E402
from service.domain.intake import operations as intake  # noqa: E402
from service.domain.intake import validation  # noqa: E402
from service.domain.matters import arrival, flags, index, profiles, suggestions  # noqa: E402
from service.domain.matters import operations as matters  # noqa: E402
from service.domain.text import fold, strip_marks  # noqa: E402
from service.models import Event, Flag, Person, Petition, Unit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.timezone.utc)
YEARS = 3
SYL = ("An Bình Cát Dương Đông Đồng Đức Hà Hải Hòa Hưng Khánh Kim Lạc Lâm Long Minh Nam Ngọc Phú Phương Quang Sơn "
       "Tân Thành Thịnh Thủy Trung Vĩnh Xuân Yên Bắc Cầu Chi Dư Giang Hạ Hồng Kiến Lãm Lê Mỹ Nghĩa Ninh Phong Quý "
       "Sen Tiên Tràng Trà Vạn Văn Việt Vũ Bàng Cổ Đình Hợp Lai Lương Mai Phù Quán Tam Thượng Tiền Tứ Uông").split()
KINDS = ["thôn", "xóm", "ngõ {n}", "chợ", "đường", "khu dân cư", "tổ dân phố", "trường tiểu học", "cầu", "bến"]
NAMES = ("Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Ngô".split(), "Văn Thị Minh Quang Đức Thu".split(),
         "An Bình Cường Dũng Hà Hạnh Hùng Lan Mai Nga Sơn Tâm Thảo Tuấn Yến".split())
# (kind, category, what is wrong — written formally and in a chat), the place is {p}.
TOPICS = [
    ("phan_anh", "moi_truong", "rác thải tồn đọng ở {p} bốc mùi hôi thối, không được thu gom",
     "rác ở {p} hôi quá, cả tuần ko ai dọn"),
    ("phan_anh", "ha_tang_giao_thong", "đèn chiếu sáng ở {p} bị hỏng, buổi tối rất tối",
     "đèn đường {p} hỏng hết rồi tối thui"),
    ("phan_anh", "ha_tang_giao_thong", "{p} bị ngập úng mỗi khi mưa do cống thoát nước bị tắc",
     "mưa là {p} ngập, cống tắc"),
    ("phan_anh", "xay_dung_nha_o", "công trình nhà ở tại {p} xây vượt số tầng được cấp phép",
     "nhà ở {p} xây vượt tầng sai phép"),
    ("phan_anh", "an_ninh_trat_tu", "quán karaoke ở {p} hát to đến 1-2 giờ sáng",
     "karaoke {p} hát xuyên đêm ko ngủ được"),
    ("phan_anh", "ha_tang_giao_thong", "{p} mất nước sinh hoạt nhiều ngày, không có nước dùng",
     "{p} mất nước mấy ngày rồi"),
    ("phan_anh", "ha_tang_giao_thong", "{p} mất điện liên tục vào buổi tối", "{p} cúp điện suốt, tối nào cũng mất"),
    ("phan_anh", "moi_truong", "lò gạch thủ công gần {p} đốt suốt ngày đêm, khói bụi mù mịt",
     "lò gạch {p} khói mù mịt"),
    ("phan_anh", "an_ninh_trat_tu", "các hộ kinh doanh ở {p} lấn chiếm vỉa hè, lòng đường", "vỉa hè {p} bị chiếm hết"),
    ("phan_anh", "ha_tang_giao_thong", "cây xanh trước {p} nghiêng sắp đổ, rất nguy hiểm", "cây ở {p} nghiêng sắp đổ"),
    ("kien_nghi", "ha_tang_giao_thong", "đường ở {p} xuống cấp, nhiều ổ gà, đề nghị sửa chữa",
     "đường {p} ổ gà nhiều quá"),
    ("khieu_nai", "dat_dai", "đơn giá bồi thường đất lúa khi thu hồi đất tại {p} quá thấp",
     "giá đền bù đất ở {p} thấp quá"),
    ("kien_nghi", "dat_dai", "hồ sơ cấp giấy chứng nhận quyền sử dụng đất ở {p} chậm nhiều tháng",
     "làm sổ đỏ ở {p} mãi chưa xong"),
    ("phan_anh", "chinh_sach_xa_hoi", "trường ở {p} thu nhiều khoản tiền ngoài quy định", "trường {p} thu đủ thứ tiền"),
    ("kien_nghi", "chinh_sach_xa_hoi", "bình xét hộ nghèo ở {p} không công khai, thiếu công bằng",
     "xét hộ nghèo {p} không công bằng"),
    ("phan_anh", "moi_truong", "cơ sở chăn nuôi lợn ở {p} xả nước thải ra mương, mùi hôi",
     "trại lợn {p} xả thải hôi quá"),
    ("phan_anh", "an_ninh_trat_tu", "thanh niên tụ tập đua xe, nẹt pô ở {p} lúc nửa đêm", "đua xe ở {p} nẹt pô cả đêm"),
    ("phan_anh", "ha_tang_giao_thong", "kè ở {p} bị sạt lở sau mưa bão", "kè {p} sạt lở nặng rồi"),
    ("phan_anh", "moi_truong", "xưởng chế biến hải sản ở {p} gây mùi tanh, xả nước thải",
     "xưởng cá ở {p} tanh không chịu nổi"),
    ("kien_nghi", "ha_tang_giao_thong", "cần lắp đèn tín hiệu giao thông tại nút giao gần {p}",
     "nút giao {p} cần đèn giao thông"),
    ("phan_anh", "an_ninh_trat_tu", "chó thả rông ở {p} cắn người, không rọ mõm", "chó thả rông ở {p} cắn trẻ con"),
    ("phan_anh", "xay_dung_nha_o", "bãi tập kết vật liệu xây dựng trái phép ở {p} gây bụi", "bãi cát ở {p} bụi mù"),
    ("phan_anh", "moi_truong", "đốt rơm rạ và rác thải ở {p} gây khói", "đốt rơm ở {p} khói quá"),
    ("kien_nghi", "thu_tuc_hanh_chinh", "bộ phận một cửa ở {p} giải quyết hồ sơ chậm, hẹn nhiều lần",
     "nộp hồ sơ ở {p} hẹn hoài"),
]
IMPACTS = ["Ảnh hưởng nghiêm trọng đến sức khỏe và sinh hoạt của người dân.", "Tình trạng kéo dài nhiều tuần nay.",
           "Người dân đã nhiều lần phản ánh nhưng chưa được khắc phục.",
           "Trẻ em và người già chịu ảnh hưởng nhiều nhất."]


def _name(rng: random.Random) -> str:
    return " ".join(rng.choice(x) for x in NAMES)


def _place(rng: random.Random) -> str:
    return rng.choice(KINDS).format(n=rng.randint(2, 400)) + " " + " ".join(rng.sample(SYL, 2))


def _wording(rng: random.Random, topic: int, place: str, unit_name: str) -> tuple[str, str, str]:
    """(channel, text, petitioner name) in one of four styles."""
    kind, _, formal, chat = TOPICS[topic]
    name, style = _name(rng), rng.random()
    if style < 0.35:
        return "web", (f"Kính gửi UBND {unit_name}. Tôi là {name}. Tôi xin {'' if kind == 'khieu_nai' else 'phản ánh'} "
                       f"việc {formal.format(p=place)}. {rng.choice(IMPACTS)} Đề nghị xem xét, giải quyết."), name
    if style < 0.6:
        return "zalo", chat.format(p=place), name
    if style < 0.8:
        return "telegram", strip_marks(chat.format(p=place)).lower(), name
    return "hotline", f"Ông {name} gọi đường dây nóng phản ánh {formal.format(p=place)}.", name


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _chunk(args: tuple) -> tuple[str, str, str]:
    """COPY text for one slice of synthetic matters: petitions, events (with profiles), signatures."""
    seed, specs = args
    rng = random.Random(seed)
    pet, ev, sig = [], [], []
    for matter_id, unit_id, unit_name, short, topic, place, start_day, size, first_pid in specs:
        for k in range(size):
            pid = first_pid + k
            received = NOW - dt.timedelta(days=start_day - k * rng.uniform(0, 6), hours=rng.uniform(0, 12))
            age = (NOW - received).days
            status, closed = ("closed", received + dt.timedelta(days=40)) if age > 120 else \
                (rng.choice(["classified", "accepted", "in_progress", "answered"]), None)
            channel, content, name = _wording(rng, topic, place, unit_name)
            drop = [short, name] + [f"{h} {name.split()[-1]}" for h in matters.HONORIFICS]
            prof = profiles.profile(content, drop)
            kind, category = TOPICS[topic][0], TOPICS[topic][1]
            pet.append("\t".join([str(pid), f"B{pid:014d}", kind, category, "1", channel, str(unit_id),
                                  _escape(content), _escape(fold(content)), received.isoformat(), status,
                                  "[]", str(matter_id), "f", "f", "0", "f", "f", "{}", "{}",
                                  closed.isoformat() if closed else "\\N", received.isoformat(),
                                  received.isoformat()]))
            data = json.dumps({"profile": matters.encode_profile(prof)}, ensure_ascii=False)
            ev.append("\t".join([str(pid), str(pid), str(matter_id), "matter_opened" if k == 0 else "matter_linked",
                                 received.isoformat(), "bench", _escape(data), "f"]))
            for bucket in index.stored_keys(prof, unit_id, index.epoch(received)):
                sig.append(f"{bucket}\t{pid}")
    return "\n".join(pet) + "\n", "\n".join(ev) + "\n", "\n".join(sig) + "\n"


PET_COLS = ("id, code, kind, category, round, channel, unit_id, content, content_folded, received_at, status, "
            "collaborating_office_codes, matter_id, anonymous, identity_disclosed, co_signer_count, complex, "
            "needs_review, classification, routing, closed_at, created_at, updated_at")


def plan(database: Database, rows: int, seed: int = 1) -> list[tuple]:
    """The synthetic matters (the same for the same seed): id, unit, topic, place, age in days, size, first id."""
    rng = random.Random(seed)
    with database.sessionmaker() as s:
        units = [(u.id, u.name, u.short_name) for u in s.scalars(select(Unit).where(Unit.kind != "city")
                                                                .order_by(Unit.id))]
    specs, pid, mid = [], 1, 1
    while pid <= rows:
        uid, uname, short = rng.choice(units)
        size = min(rows - pid + 1, min(12, int(rng.expovariate(1 / 2.2)) + 1))
        specs.append((mid, uid, uname, short, rng.randrange(len(TOPICS)), _place(rng),
                       rng.uniform(1, YEARS * 365), size, pid))
        pid, mid = pid + size, mid + 1
    return specs


def load(database: Database, specs: list[tuple], workers: int, seed: int = 1) -> None:
    """Synthetic petitions of every commune, loaded with COPY, then vacuumed like a table in steady use."""
    raw = database.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET session_replication_role = replica")  # bench only: no FK triggers while copying
        cur.execute("ALTER TABLE petition_signatures DROP CONSTRAINT pk_petition_signatures")
        with cur.copy("COPY matters (id, unit_id, title, status, petitioner_count, created_at, updated_at) "
                      "FROM STDIN") as copy:
            for m in specs:
                when = (NOW - dt.timedelta(days=m[6])).isoformat()
                copy.write(f"{m[0]}\t{m[1]}\t{_escape(TOPICS[m[4]][2].format(p=m[5]))}\topen\t{m[7]}\t{when}\t{when}\n")
        slices = [(seed + i, specs[i:i + 2000]) for i in range(0, len(specs), 2000)]
        with Pool(workers) as pool:
            for pet, ev, sig in pool.imap(_chunk, slices):
                with cur.copy(f"COPY petitions ({PET_COLS}) FROM STDIN") as copy:
                    copy.write(pet)
                with cur.copy("COPY events (id, petition_id, matter_id, kind, at, actor_label, data, public) "
                              "FROM STDIN") as copy:
                    copy.write(ev)
                with cur.copy("COPY petition_signatures (bucket, petition_id) FROM STDIN") as copy:
                    copy.write(sig)
        # Matters of five or more recent petitions carry their đông người flag already, as they would in use.
        with cur.copy("COPY flags (code, petition_id, matter_id, raised_at, explanation) FROM STDIN") as copy:
            for m in specs:
                if m[7] >= flags.CROWD and m[6] < 120:
                    when = (NOW - dt.timedelta(days=m[6] - 5)).isoformat()
                    e = json.dumps({"task": flags.TASK, "rules": [{"rule": "many_petitioners", "people": m[7]}],
                                    "petitions": m[7], "people": m[7], "since": when, "routed_to": ["van_phong"]})
                    for pid in ["\\N", *range(m[8], m[8] + m[7])]:
                        copy.write(f"dong_nguoi\t{pid}\t{m[0]}\t{when}\t{e}\n")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("ALTER TABLE petition_signatures ADD CONSTRAINT pk_petition_signatures "
                    "PRIMARY KEY (bucket, petition_id)")
        for table in ("petitions", "matters", "events"):
            cur.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        raw.commit()
    finally:
        raw.close()
    with psycopg.connect(database.url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # else autovacuum would run through the timed queries


def brute_force(session, petition: Petition, mine: profiles.Profile, now: dt.datetime):
    """The same decision over every live petition of the unit: no index, every matter re-ranked."""
    since = min(petition.received_at, now) - matters.WINDOW
    rows = session.execute(select(Petition.id, Petition.matter_id, Petition.content_folded, Event.data)
                           .join(Event, (Event.petition_id == Petition.id) & Event.kind.in_(matters.PROFILE_EVENTS))
                           .where(Petition.unit_id == petition.unit_id, Petition.id != petition.id,
                                  Petition.matter_id.is_not(None), matters.eligible(since))).all()
    groups: dict[int, tuple[profiles.Profile, list[str]]] = {}
    for _, mid, folded, data in rows:
        prof, texts = groups.setdefault(mid, (profiles.Profile(), []))
        prof.add(matters.stored_profile(data))
        texts.append(matters.content_words(folded))
    best = None
    for mid, (prof, texts) in groups.items():
        s = profiles.similarity(mine, prof, " ".join(texts))
        if matters.accepts(s, False, False) and (best is None or s.score > best[1].score):
            best = (mid, s)
    return best[0] if best else None


def _new_petition(session, unit_id: int, channel: str, content: str, name: str, phone: str, n: int, *,
                  stored: bool = True) -> Petition:
    """A petition as intake makes it, with its petitioner: stored (flushed) for `matters.assign_matter` (imports,
    re-matching after a split), or still pending for intake's own path (`arrival.prepare` before its flush)."""
    p = Petition(code=f"Q{n:014d}", kind="phan_anh", category="khac", channel=channel, unit_id=unit_id,
                 content=content, content_folded=fold(content), received_at=NOW, status="classified",
                 created_at=NOW, updated_at=NOW)
    p.people.append(Person(role="petitioner", name=name, name_folded=fold(name), phone=phone))
    session.add(p)
    if stored:
        session.flush()
    else:
        p.unit = session.get(Unit, unit_id)  # intake has it at hand (service.domain.reference)
    return p


def pct(values: list[float], q: float) -> float:
    data = sorted(values)
    return data[min(len(data) - 1, int(q * len(data)))] * 1000


CLUSTERS = ROOT / "config/corpus/clusters.jsonl"


def _person_key(r: dict) -> str:
    """Who sent a row, as the labels say: the normalised phone, else the folded name, else the row itself."""
    person = r.get("petitioner") or {}
    phone = validation.normalise_phone(person.get("phone")) if person.get("phone") else None
    return phone or (fold(person["name"]) if person.get("name") else r["id"])


def crowd_clusters(rows: list[dict]) -> set[str]:
    """Clusters the labels say are đông người: 5 or more distinct people, co-signers included (TCD Đ29)."""
    people: dict[str, set[str]] = {}
    extra: dict[str, int] = {}
    for r in rows:
        if r["cluster"]:
            people.setdefault(r["cluster"], set()).add(_person_key(r))
            extra[r["cluster"]] = extra.get(r["cluster"], 0) + r.get("co_signers", 0)
    return {c for c, ps in people.items() if len(ps) + extra[c] >= flags.CROWD}


def run_clusters(database: Database, answer: bool) -> tuple[dict, dict, int, int]:
    """Submit every row of the cluster set in order of arrival; with `answer`, Văn phòng answers each
    suggestion right away (confirm when the labels say same cluster, else reject). Rolled back at the end.
    Returns (matter of each row, open đông người flag per row, suggestions made, petitions with one)."""
    rows = sorted((json.loads(x) for x in CLUSTERS.read_text(encoding="utf-8").splitlines() if x.strip()),
                  key=lambda r: (-r["days_ago"], r["id"]))
    by_pid: dict[int, dict] = {}
    got, flagged, made, asked = {}, {}, 0, 0
    staff = Actor(label="Văn phòng (bench)", role="staff")
    with database.sessionmaker() as s:
        ids = {}
        for r in rows:
            when = NOW - dt.timedelta(days=r["days_ago"])
            person = r.get("petitioner")
            msg = InboundMessage(channel=r["channel"], content=r["content"], title=r.get("title"), unit=r["unit"],
                                 kind=r.get("kind"), petitioner=PersonData(**person) if person else None,
                                 anonymous=bool(r.get("anonymous")), consent=True, co_signers=r.get("co_signers", 0))
            p = intake.submit(s, msg, CITIZEN, now=when).petition
            ids[r["id"]], by_pid[p.id] = p.id, r
            pending = suggestions.for_petition(s, p)
            made, asked = made + len(pending), asked + bool(pending)
            for sg in pending if answer else []:
                if sg.state != "pending":
                    continue
                others = s.scalars(select(Petition.id).where(Petition.matter_id == sg.matter_id)).all()
                same = any(by_pid[o]["cluster"] and by_pid[o]["cluster"] == r["cluster"] for o in others)
                suggestions.decide(s, sg, "confirm" if same else "reject", staff, now=when)
        for r in rows:
            p = s.get(Petition, ids[r["id"]])
            got[r["id"]] = p.matter_id
            flagged[r["id"]] = s.scalar(select(Flag.id).where(Flag.petition_id == p.id, Flag.code == flags.DONG_NGUOI,
                                                              Flag.cleared_at.is_(None)).limit(1)) is not None
        s.rollback()
    return got, flagged, made, asked


def pairwise(rows: list[dict], got: dict, voice: str | None = None) -> tuple[float, float, int]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(rows, 2):
        if voice is not None and voice not in (a["voice"], b["voice"]):
            continue
        same = a["cluster"] is not None and a["cluster"] == b["cluster"]
        joined = got[a["id"]] == got[b["id"]]
        tp, fp, fn = tp + (same and joined), fp + (joined and not same), fn + (same and not joined)
    return tp / ((tp + fp) or 1), tp / ((tp + fn) or 1), tp + fn


def dev_set(database: Database) -> None:
    rows = [json.loads(x) for x in CLUSTERS.read_text(encoding="utf-8").splitlines() if x.strip()]
    crowds = crowd_clusters(rows)
    clusters = {r["cluster"] for r in rows if r["cluster"]}
    print(f"cluster set ({CLUSTERS.relative_to(ROOT)}): {len(rows)} petitions, {len(clusters)} clusters, "
          f"{sum(1 for r in rows if not r['cluster'])} decoys, {len(crowds)} đông người clusters")
    for answer in (False, True):
        got, flagged, made, asked = run_clusters(database, answer)
        p, r, _ = pairwise(rows, got)
        missed = sum(1 for x in rows if x["cluster"] in crowds and not flagged[x["id"]])
        wrong = sum(1 for x in rows if x["cluster"] not in crowds and flagged[x["id"]])
        head = ("after Văn phòng answers each suggestion" if answer else "automatic links only")
        print(f"  {head}: pairwise precision {p:.3f}, recall {r:.3f} (goal ≥ 0.9 each); đông người missed on "
              f"{missed} petitions (goal 0), raised on {wrong} that should not carry it")
        if not answer:
            print(f"    suggestions: {made} for {asked} of {len(rows)} petitions "
                  f"({asked / len(rows):.0%} of petitions ask Văn phòng)")
        for voice in sorted({x["voice"] for x in rows}):
            vp, vr, n = pairwise(rows, got, voice)
            print(f"    voice {voice:14} precision {vp:.3f}  recall {vr:.3f}  ({n} same-matter pairs)")


def queries(database: Database, specs: list[tuple], count: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    live = [m for m in specs if m[6] < 100]  # matters whose petitions are still open
    lsh, brute, full, full_quiet, full_raised = [], [], [], [], []
    intake_match, intake_full, intake_flush = [], [], []
    agree = linked_same = brute_links = truth_lsh = truth_brute = 0
    for i in range(count + 20):
        existing = rng.random() < 0.7
        m = rng.choice(live)
        uid, uname, topic, place = m[1], m[2], m[4], (m[5] if existing else _place(rng))
        channel, content, name = _wording(rng, topic, place, uname)
        phone = f"09{rng.randint(10**7, 10**8 - 1)}"
        with database.sessionmaker() as s:  # a stored petition: matters.assign_matter (imports, re-matching)
            p = _new_petition(s, uid, channel, content, name, phone, i)
            t0 = time.perf_counter()
            b = brute_force(s, p, matters.petition_profile(p), NOW)
            t1 = time.perf_counter()
            matter = matters.assign_matter(s, p, NOW)
            t2 = time.perf_counter()
            # As intake does (matters.arrival.finish): a matter the petition opened alone is judged in memory.
            opened = s.info.get(flags.OPENED, {}).get(matter.id) is not None
            raised = (flags.evaluate_opened(s, matter, p, NOW) if opened
                      else flags.evaluate_matter_flags(s, matter, NOW))
            t3 = time.perf_counter()
            got = matter.id if matter.id <= len(specs) else None
            s.rollback()
        with database.sessionmaker() as s:  # the same petition through intake's path (intake.submit)
            p = _new_petition(s, uid, channel, content, name, phone, i, stored=False)
            t4 = time.perf_counter()
            came = arrival.prepare(s, p, NOW)  # matched before the petition's one flush
            t5 = time.perf_counter()
            s.flush()  # intake's flush: the petition, its people and events, a new matter (not the matcher's)
            t6 = time.perf_counter()
            arrival.finish(s, came, NOW, fresh=True)  # its index keys, suggestions and flags
            t7 = time.perf_counter()
            s.rollback()
        if i < 20:
            continue  # warm-up
        brute.append(t1 - t0), lsh.append(t2 - t1), full.append(t3 - t1)
        intake_match.append(t5 - t4), intake_full.append((t5 - t4) + (t7 - t6)), intake_flush.append(t6 - t5)
        (full_raised if raised else full_quiet).append(t3 - t1)
        expected = m[0] if existing else None
        agree += got == b
        truth_lsh, truth_brute = truth_lsh + (got == expected), truth_brute + (b == expected)
        if b is not None:
            brute_links += 1
            linked_same += got == b
    print(f"queries: {count} new petitions (70 % about a live matter, 30 % about a new place), each rolled back")
    print(f"  LSH match      p50 {pct(lsh, .5):6.2f} ms  p95 {pct(lsh, .95):6.2f} ms  p99 {pct(lsh, .99):6.2f} ms  "
          f"(a stored petition: assign_matter, as imports and re-matching after a split do)")
    print(f"  + flags        p50 {pct(full, .5):6.2f} ms  p95 {pct(full, .95):6.2f} ms  (the same, then its flags; "
          f"{len(full_quiet)} raising no new flag: p95 {pct(full_quiet, .95):.2f} ms, {len(full_raised)} raising one "
          f"(notice to Văn phòng, a flag on every petition): p95 {pct(full_raised, .95) if full_raised else 0:.2f} ms)")
    print(f"  at intake      match p50 {pct(intake_match, .5):6.2f} ms  p95 {pct(intake_match, .95):6.2f} ms; "
          f"+ index, suggestions, flags p50 {pct(intake_full, .5):6.2f} ms  p95 {pct(intake_full, .95):6.2f} ms "
          f"(goal p95 ≤ 20 ms: intake.submit's path, matters.arrival around the petition's own flush, p50 "
          f"{pct(intake_flush, .5):.2f} ms, not counted)")
    print(f"  brute force    p50 {pct(brute, .5):6.2f} ms  p95 {pct(brute, .95):6.2f} ms  "
          f"(every live petition of the unit re-ranked)")
    print(f"  speed-up       p50 ×{statistics.median(brute) / statistics.median(lsh):.1f}  "
          f"p95 ×{pct(brute, .95) / pct(lsh, .95):.1f}")
    print(f"  recall against brute force: {linked_same}/{brute_links} = {linked_same / max(1, brute_links):.3f}; "
          f"same decision {agree}/{count} = {agree / count:.3f}")
    print(f"  synthetic truth: LSH {truth_lsh / count:.3f}, brute force {truth_brute / count:.3f} "
          f"of queries decided right")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", "--size", type=int, default=20_000,
                        help="stored petitions for the speed figure (the issue's figure: --size 1000000)")
    parser.add_argument("--dev-only", action="store_true",
                        help="only the cluster set, on a temporary SQLite database (no PostgreSQL needed)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    parser.add_argument("--database", help="reuse a database kept by --keep with the same --rows (no load)")
    parser.add_argument("--empty-database", help="an empty database to set up and load (when the bench's role may "
                                                 "not create databases); kept afterwards")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    if args.dev_only:
        with tempfile.TemporaryDirectory() as tmp:
            database = Database(f"sqlite:///{tmp}/dev.sqlite3")
            run_setup(database)
            dev_set(database)
            database.dispose()
        return
    if args.empty_database:
        url, drop = args.empty_database, (lambda: None)
    else:
        url, drop = (args.database, lambda: None) if args.database else fresh_database("tiepdan_bench_matters")
    try:
        database = Database(url)
        if not args.database:  # the dev set needs an empty database: its petitions would meet the synthetic ones
            run_setup(database)
            dev_set(database)
        started = time.perf_counter()
        specs = plan(database, args.rows)
        if not args.database:
            load(database, specs, args.workers)
        with database.engine.connect() as conn:
            size = conn.execute(text("SELECT pg_total_relation_size('petition_signatures')")).scalar()
        print(f"stored: {args.rows:,} petitions in {len(specs):,} matters, {len(TOPICS)} topics, 114 communes, "
              f"{YEARS} years; petition_signatures {size / 2**20:,.0f} MB, {size / args.rows:,.0f} bytes a petition "
              f"(goal ≤ 1 KB); loaded in {time.perf_counter() - started:.0f} s "
              f"(PostgreSQL, {os.cpu_count()} cores)")
        queries(database, specs, args.queries)
        database.dispose()
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            drop()


if __name__ == "__main__":
    main()
