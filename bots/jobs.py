"""`python -m bots.jobs`: the jobs process with the Telegram and Zalo senders registered.

`service` never imports `bots`, so `python -m service.jobs` alone has no chat senders and leaves
telegram/zalo rows in the outbox. This entry point registers them, then runs the same main.
"""
from __future__ import annotations

import logging
import sys

from bots.senders import register_senders
from service.db import Database
from service.jobs.__main__ import main as jobs_main
from service import logging_filters
from service.settings import load_settings

logger = logging.getLogger("bots.jobs")


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    logging.basicConfig(level=settings.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging_filters.install(settings)  # no phone, ID number or token in the logs
    database = Database(settings["DATABASE_URL"], pool_size=2)  # the senders' own reads (windows, tokens, codes)
    try:
        channels = register_senders(database, settings)
        logger.info("chat senders registered: %s", ", ".join(channels) or "none")
        return jobs_main(argv)
    finally:
        database.dispose()


if __name__ == "__main__":
    sys.exit(main())
