"""The jobs process: APScheduler in its own process (`python -m service.jobs`), never in web workers.

The one list of jobs is `service.jobs.schedule.JOBS`; each run holds the lease of `lease.py`.
"""
from service.jobs.dispatch import dispatch_outbox
from service.jobs.scan import office_digest, scan_deadlines

__all__ = ["dispatch_outbox", "office_digest", "scan_deadlines"]
