"""Citizens' submissions under load through every public entry point, then a check of the database.

    python bench/load.py [--citizens 200] [--seconds 30] [--workers 4] [--keep]

Starts gunicorn (--workers) on PostgreSQL (database tiepdan_bench_load, re-created and migrated like
`flask setup`), the jobs process (`python -m service.jobs`) and fake Telegram/Zalo APIs, then runs
--citizens concurrent citizens for --seconds: each one submits petitions one after another through the
web form (GET for the CSRF token and cookie, then POST), API v1 (Idempotency-Key; some requests sent
twice, some of them at the same moment), the Telegram webhook or the Zalo webhook (a whole dialogue,
signed like the platforms; some updates delivered twice). Rate limits are off (RATELIMIT_ENABLED=false):
every citizen here shares one IP. Prints req/s and p50/p99 per entry point, then the checks.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import re
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

if __package__ in (None, ""):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loadlib import (  # noqa: E402
    TELEGRAM_SECRET,
    ZALO_APP_ID,
    ZALO_OA_SECRET,
    Fakes,
    Gunicorn,
    jobs_process,
    new_marker,
    recreate_database,
    service_env,
    setup_database,
    wait_until,
)
from bots.prompts import APOLOGY  # noqa: E402  (the bot's answer when a step failed and was rolled back)

MARKER = re.compile(r"LD-[0-9a-f]{12}")
CODE_SENT = re.compile(r"Mã đơn: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9])")
CHAT_IDS, UPDATE_IDS = itertools.count(7_000_000), itertools.count(10_000_000)  # unique in this process
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
UNITS = ["11914", "Xã Kiến Hưng", "Phường Hồng Bàng", "Xã An Khánh"]
TEXTS = ["Đèn đường ở ngõ {n} đường Hà Sen bị hỏng, buổi tối rất tối, đề nghị sửa chữa",
         "Bãi rác gần chợ số {n} bốc mùi hôi thối, đề nghị thu gom",
         "Đề nghị lắp biển báo giảm tốc độ gần trường học thôn {n}",
         "Cống thoát nước trước nhà số {n} bị tắc, nước tràn ra đường mỗi khi mưa"]


# ---- what the clients saw -----------------------------------------------------------------------

@dataclass
class Submission:
    channel: str
    marker: str
    user: str = ""  # Idempotency-Key, chat id or Zalo user id
    accepted: bool = False
    code: str | None = None
    outcome: str = "unfinished"


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def record(self, name: str, status: int, seconds: float) -> None:
        self.latencies[name].append(seconds)
        self.statuses[name][status] += 1

    def lines(self, elapsed: float) -> list[str]:
        out = []
        for name in sorted(self.latencies):
            data = sorted(self.latencies[name])
            pct = lambda q: data[min(len(data) - 1, int(q * len(data)))] * 1000  # noqa: E731
            out.append(f"  {name:<26} {len(data):6d} req {len(data) / elapsed:7.1f} req/s  p50 {pct(0.5):7.1f} ms  "
                       f"p99 {pct(0.99):7.1f} ms  statuses {dict(sorted(self.statuses[name].items()))}")
        return out

    def server_errors(self) -> int:
        return sum(n for by in self.statuses.values() for s, n in by.items() if s >= 500)


class Citizens:
    """The scenarios; each method submits one petition and appends what it saw to `ledger`."""

    def __init__(self, base: str, stats: Stats, ledger: list[Submission], *, twice: float = 0.15,
                 rng: random.Random | None = None, patience: float = 0.0, units: list[str] | None = None):
        self.base, self.stats, self.ledger, self.twice = base, stats, ledger, twice
        self.units = units  # web/API: citizen i writes to units[i % len]; else everyone to 11914
        self.rng = rng or random.Random(7)
        self.patience = patience  # seconds an API/webhook client keeps retrying after errors (0: no retry)

    async def send(self, client: httpx.AsyncClient, name: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await client.request(method, self.base + url, **kwargs)
        except httpx.HTTPError:
            self.stats.record(name, 0, time.perf_counter() - started)
            return None
        self.stats.record(name, response.status_code, time.perf_counter() - started)
        return response

    async def until_answered(self, send, ok) -> httpx.Response | None:
        """Send; on a transport error or 5xx retry the very same request (as platforms and API clients do)."""
        deadline = time.monotonic() + self.patience
        while True:
            response = await send()
            if response is not None and (ok(response) or response.status_code < 500):
                return response
            if time.monotonic() >= deadline:
                return response
            await asyncio.sleep(0.5)

    def _content(self, marker: str) -> str:
        return self.rng.choice(TEXTS).format(n=self.rng.randint(1, 500)) + f". Mã tham chiếu {marker}"

    def _unit(self, client: httpx.AsyncClient) -> str:
        return self.units[getattr(client, "citizen", 0) % len(self.units)] if self.units else "11914"

    def _phone(self) -> str:
        return "09" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))

    async def web(self, client: httpx.AsyncClient) -> None:
        sub = Submission("web", new_marker())
        self.ledger.append(sub)
        form = await self.send(client, "web GET /gui-don", "GET", "/gui-don")
        token = CSRF.search(form.text) if form is not None and form.status_code == 200 else None
        if token is None:
            sub.outcome = "form not loaded"
            await asyncio.sleep(0.5)  # a person waits a moment before reloading
            return
        data = {"csrf_token": token.group(1), "unit": self._unit(client), "kind": "phan_anh", "content": self._content(sub.marker),
                "name": "Nguyễn Văn An", "phone": self._phone(), "co_signers": "0", "consent": "1"}
        response = await self.send(client, "web POST /gui-don", "POST", "/gui-don", data=data)
        if response is not None and response.status_code == 303 and "/da-gui/" in response.headers.get("location", ""):
            sub.accepted, sub.code, sub.outcome = True, response.headers["location"].rsplit("/", 1)[1], "accepted"
        else:
            sub.outcome = f"status {response.status_code if response is not None else 'none'}"

    async def api(self, client: httpx.AsyncClient) -> None:
        sub = Submission("api", new_marker(), user=str(uuid.uuid4()))
        self.ledger.append(sub)
        body = {"content": self._content(sub.marker), "unit": self._unit(client), "kind": "kien_nghi",
                "petitioner": {"name": "Trần Thị Bình", "phone": self._phone()}}
        headers = {"Idempotency-Key": sub.user}

        def post():
            return self.send(client, "api POST /api/v1/petitions", "POST", "/api/v1/petitions", json=body,
                             headers=headers)

        roll = self.rng.random()
        created = lambda r: r is not None and r.status_code == 201  # noqa: E731
        answers = []
        if roll < self.twice / 2:  # the same key twice at the same moment (a double click, a proxy retry)
            answers += await asyncio.gather(post(), post())
        if not any(created(r) for r in answers):
            answers.append(await self.until_answered(post, created))
        if self.twice / 2 <= roll < self.twice:  # sent again after the answer came back
            answers.append(await self.until_answered(post, created))
        codes = {r.json()["code"] for r in answers if r is not None and r.status_code == 201}
        if len(codes) == 1:
            sub.accepted, sub.code, sub.outcome = True, codes.pop(), "accepted"
        elif len(codes) > 1:
            sub.accepted, sub.outcome = True, f"two codes for one key: {sorted(codes)}"
        else:
            sub.outcome = "status " + ",".join(str(r.status_code if r is not None else "none") for r in answers)

    async def _dialogue(self, client, channel: str, steps: list[dict], post) -> Submission:
        sub = Submission(channel, steps[0]["marker"], user=steps[0]["user"])
        self.ledger.append(sub)
        for i, step in enumerate(steps[1:]):
            response = await self.until_answered(lambda: post(step["payload"]), lambda r: r.status_code == 200)
            if response is None or response.status_code != 200:
                sub.outcome = f"step {i} status {response.status_code if response is not None else 'none'}"
                return sub
            if self.rng.random() < self.twice:  # the platform delivers the same update again
                await post(step["payload"])
        sub.accepted, sub.outcome = True, "accepted"
        return sub

    def _answers(self, marker: str) -> list[str]:
        return ["1", "1", self._content(marker), "xong", self.rng.choice(UNITS[1:]), "bo qua", self._phone(),
                "Lê Văn Cường", "0", "1", "1"]

    async def telegram(self, client: httpx.AsyncClient) -> None:
        chat, marker = next(CHAT_IDS), new_marker()
        user = {"id": chat, "is_bot": False, "first_name": "Cường", "language_code": "vi"}
        steps = [{"marker": marker, "user": str(chat)}]
        for answer in ["/start", *self._answers(marker)]:
            uid = next(UPDATE_IDS)
            steps.append({"payload": {"update_id": uid, "message": {
                "message_id": uid, "date": int(time.time()), "from": user,
                "chat": {"id": chat, "type": "private", "first_name": "Cường"}, "text": answer}}})
        headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        await self._dialogue(client, "telegram", steps, lambda update: self.send(
            client, "telegram webhook", "POST", "/bots/telegram/webhook", json=update, headers=headers))

    async def zalo(self, client: httpx.AsyncClient) -> None:
        from bots.zalo import signature

        user, marker = f"84{next(CHAT_IDS):017d}", new_marker()
        steps = [{"marker": marker, "user": user}]
        for answer in self._answers(marker):
            event = {"app_id": ZALO_APP_ID, "user_id_by_app": "55" + user[2:], "event_name": "user_send_text",
                     "timestamp": str(int(time.time() * 1000)), "sender": {"id": user},
                     "recipient": {"id": "579745863508352884"},
                     "message": {"msg_id": uuid.uuid4().hex, "text": answer}}
            steps.append({"payload": json.dumps(event, ensure_ascii=False).encode()})

        def post(raw: bytes):
            headers = {"Content-Type": "application/json",
                       signature.HEADER: signature.sign(raw, ZALO_APP_ID, ZALO_OA_SECRET)}
            return self.send(client, "zalo webhook", "POST", "/bots/zalo/webhook", content=raw, headers=headers)

        await self._dialogue(client, "zalo", steps, post)


async def run_citizens(citizens: Citizens, count: int, seconds: float, channels=("web", "api", "telegram", "zalo")):
    """`count` citizens at once, each submitting one petition after another until time is up."""
    end = time.monotonic() + seconds

    async def citizen(i: int) -> None:
        scenario = getattr(citizens, channels[i % len(channels)])
        async with httpx.AsyncClient(timeout=120, follow_redirects=False) as client:  # its own cookies
            client.citizen = i
            while time.monotonic() < end:
                await scenario(client)

    started = time.perf_counter()
    await asyncio.gather(*(citizen(i) for i in range(count)))
    return time.perf_counter() - started


# ---- what the database holds --------------------------------------------------------------------

def wait_for_outbox(url: str, seconds: float = 120) -> dict[str, int]:
    """Wait until no chat message is pending or being sent (the jobs process retries every 5 s)."""
    from service.models import OutboxMessage

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    query = (select(OutboxMessage.status, func.count()).where(OutboxMessage.channel.in_(("telegram", "zalo")))
             .group_by(OutboxMessage.status))

    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return dict(conn.execute(query).all())

    wait_until(lambda: not (counts().get("pending") or counts().get("sending")), seconds, 1.0)
    result = counts()
    engine.dispose()
    return result


def check(url: str, ledger: list[Submission], fakes: Fakes | None = None) -> dict[str, int]:
    """The invariants; returns counts, every key but the first four of which must be 0."""
    from service.models import Deadline, Event, OutboxMessage, Person, Petition

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        petitions = conn.execute(select(Petition.id, Petition.code, Petition.channel, Petition.content)).all()
        received = set(conn.scalars(select(Event.petition_id).where(Event.kind == "received")))
        with_deadlines = set(conn.scalars(select(Deadline.petition_id).distinct()))
        people = dict(conn.execute(select(Person.petition_id, Person.chat_user_id).where(Person.role == "petitioner")).all())
        duplicate_codes = conn.execute(select(Petition.code).group_by(Petition.code).having(func.count() > 1)).all()
        sent = dict(conn.execute(select(OutboxMessage.channel, func.count()).where(OutboxMessage.status == "sent")
                                 .group_by(OutboxMessage.channel)).all())
    engine.dispose()
    by_marker: dict[str, list[tuple]] = defaultdict(list)
    for row in petitions:
        for marker in set(MARKER.findall(row.content)):
            by_marker[marker].append(row)
    delivered = fakes.delivered() if fakes else {}
    result = {"petitions stored": len(petitions), "accepted by the client": 0,
              "not accepted, not stored": 0, "not accepted but committed (answer lost in flight)": 0,
              "lost": 0, "duplicated": 0, "code differs from the answer": 0, "stored but never sent": 0,
              "tracking code not unique": len(duplicate_codes), "half-written": 0, "chat confirmation missing or twice": 0,
              "chat messages sent twice": 0, "chat: told to resend after a server error": 0}
    known = {s.marker for s in ledger}
    result["stored but never sent"] = sum(1 for m in by_marker if m not in known)
    for sub in ledger:
        rows = by_marker.get(sub.marker, [])
        accepted, told = sub.accepted, None
        if fakes is not None and sub.channel in ("telegram", "zalo"):
            texts = delivered[sub.channel].get(sub.user, [])
            told = [c for t in texts for c in CODE_SENT.findall(t)]
            if accepted and not told and any(t.startswith(APOLOGY) for t in texts):
                accepted = False  # the bot apologised: the citizen knows it was not sent (but the step failed)
                result["chat: told to resend after a server error"] += 1
        result["accepted by the client"] += accepted
        if len(rows) > 1:
            result["duplicated"] += 1
        if not accepted:
            result["not accepted, not stored" if not rows else "not accepted but committed (answer lost in flight)"] += 1
            continue
        if not rows:
            result["lost"] += 1
            continue
        row = rows[0]
        if sub.channel in ("web", "api") and sub.code != row.code:
            result["code differs from the answer"] += 1
        if sub.channel in ("telegram", "zalo"):
            if people.get(row.id) != sub.user:
                result["code differs from the answer"] += 1
            if told is not None and told != [row.code]:
                result["chat confirmation missing or twice"] += 1
    for row in petitions:
        if row.id not in received or row.id not in with_deadlines or (row.channel != "web" and row.id not in people):
            result["half-written"] += 1
    if fakes is not None:
        for channel in ("telegram", "zalo"):
            accepted_by_platform = sum(len(v) for v in delivered[channel].values())
            result["chat messages sent twice"] += max(0, accepted_by_platform - sent.get(channel, 0))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database", default="tiepdan_bench_load")
    parser.add_argument("--keep", action="store_true", help="keep the logs directory")
    args = parser.parse_args()

    logs = Path(tempfile.mkdtemp(prefix="tiepdan-load-"))
    url = recreate_database(args.database)
    setup_database(url)
    fakes = Fakes(logs).start()
    env = service_env(url, fakes)
    web, jobs = Gunicorn(env, logs, workers=args.workers), jobs_process(env, logs)
    try:
        web.start()
        jobs.start()
        stats, ledger = Stats(), []
        # Warm-up, not measured (its petitions are checked too): each worker trains the classifier on first use.
        asyncio.run(run_citizens(Citizens(web.url, Stats(), ledger, rng=random.Random(1)), 4 * args.workers, 5))
        citizens = Citizens(web.url, stats, ledger)
        elapsed = asyncio.run(run_citizens(citizens, args.citizens, args.seconds))
        outbox = wait_for_outbox(url)
        result = check(url, ledger, fakes)
        print(f"{args.citizens} citizens for {args.seconds:.0f} s (all done after {elapsed:.1f} s); gunicorn "
              f"{args.workers} sync workers; PostgreSQL; jobs process; rate limits off; machine: "
              f"{__import__('os').cpu_count()} cores")
        print("\n".join(stats.lines(elapsed)))
        by_channel = defaultdict(int)
        for s in ledger:
            by_channel[s.channel] += s.accepted
        print(f"  petitions accepted: {dict(by_channel)}, {sum(by_channel.values()) / elapsed:.1f} petitions/s; "
              f"chat outbox after the run: {outbox}")
        print(f"  5xx answers: {stats.server_errors()}; tracebacks in the web log: {web.log().count('Traceback')}")
        outcomes = defaultdict(int)
        for s in ledger:
            if not s.accepted:
                outcomes[f"{s.channel}: {s.outcome}"] += 1
        if outcomes:
            print(f"  not accepted: {dict(outcomes)}")
        for key, value in result.items():
            print(f"  {key:<52} {value}")
        bad = {k: v for k, v in list(result.items())[4:] if v} | ({"5xx": stats.server_errors()}
                                                                  if stats.server_errors() else {})
        print("RESULT: " + ("OK — 0 lost, 0 duplicated, 0 × 5xx" if not bad else f"PROBLEMS {bad}"))
    finally:
        jobs.stop()
        web.stop()
        fakes.kill()
        if args.keep:
            print(f"logs: {logs}")


if __name__ == "__main__":
    main()
