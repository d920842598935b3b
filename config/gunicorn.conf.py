"""Gunicorn settings shared by scripts/serve.sh, the Dockerfile and the load bench (`gunicorn -c config/gunicorn.conf.py`)."""
import gc
import logging

# The longest request line gunicorn reads (its maximum; the default 4094 answers longer ones with an HTML 400
# before the app sees them). The app answers a query string over 4 KiB itself, as a JSON 414 in the API's
# error format (service/web/errors.py, MAX_QUERY_BYTES).
limit_request_line = 8190


def post_worker_init(worker):
    """Train the classifier, read the calendar, rules and catalogues before the worker takes its first request:
    otherwise the first citizen of each worker waits for it (~1-6 s on a busy machine)."""
    from service.domain.intake.warm import warm_up

    app = worker.wsgi
    try:
        session = app.extensions["db"].sessionmaker()
        try:
            warm_up(session)
        finally:
            session.close()
    except Exception as exc:  # the first request trains instead
        from sqlalchemy.exc import OperationalError

        # A database not reachable (a worker restarted while PostgreSQL is down) is expected: one line, no trace;
        # anything else is a fault worth its traceback.
        unreachable = isinstance(exc, OperationalError)
        logging.getLogger(__name__).warning("intake not warmed at worker start%s",
                                            ": database unreachable" if unreachable else "",
                                            exc_info=not unreachable)
    # The app, the model and the caches live as long as the worker: keep them out of the collector's generations,
    # so a full collection no longer walks them (bench/inbox.py saw 17-240 ms pauses mid-request).
    gc.freeze()
