"""Replies sent after the webhook has answered: a small per-process pool of sender threads.

Zalo wants the webhook's 200 within about 2 s and its OA API may take longer than that per call, so the
Zalo webhook commits the step with its replies already claimed in the outbox (bots.delivery.process) and
hands them here. Each recipient always goes to the same lane (one thread, first in first out), so one
process keeps a user's replies in order; bots.delivery.deliver_in_order keeps the order across gunicorn
workers. The threads start lazily on first use in each process (after gunicorn's fork), are daemons,
and a crash loses nothing: the claimed rows' lease lapses and the jobs process sends them.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
import zlib
from typing import Callable

logger = logging.getLogger(__name__)

LANES = 4  # users served at once per process; one user's replies always share a lane
EXIT_WAIT = 2.0  # seconds a stopping process gives its lanes (what is left, the jobs process sends after the claim)

_lock = threading.Lock()
_lanes: list[queue.Queue] = []
_pid: int | None = None


def _work(lane: queue.Queue) -> None:
    while True:
        job = lane.get()
        try:
            job()
        except Exception:  # the outbox keeps what was not sent; a bad job never stops the lane
            logger.exception("background reply job failed; the outbox keeps its replies")
        finally:
            lane.task_done()


def _ensure() -> list[queue.Queue]:
    global _pid
    with _lock:
        if _pid != os.getpid():  # first use, or a forked worker that inherited no running threads
            _lanes.clear()
            for i in range(LANES):
                lane: queue.Queue = queue.Queue()
                threading.Thread(target=_work, args=(lane,), daemon=True, name=f"bot-replies-{i}").start()
                _lanes.append(lane)
            _pid = os.getpid()
            atexit.register(drain, EXIT_WAIT)  # a worker stopping in order sends what it holds first
        return _lanes


def submit(key: str, job: Callable[[], object]) -> None:
    """Run `job` soon on the lane of `key` (a channel and recipient), after the jobs submitted before it."""
    lanes = _ensure()
    lanes[zlib.crc32(key.encode("utf-8")) % len(lanes)].put(job)


def drain(timeout: float = 30.0) -> bool:
    """Wait until every submitted job has run (tests, and a worker's orderly exit); False on timeout."""
    deadline = time.monotonic() + timeout
    for lane in list(_lanes) if _pid == os.getpid() else []:
        with lane.all_tasks_done:
            while lane.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                lane.all_tasks_done.wait(left)
    return True
