# One image for the web app (default), the jobs process and the bots:
#   docker run IMAGE                                   -> gunicorn serving service.app:create_app()
#   docker run IMAGE python -m service.jobs            -> the one jobs process (chat senders included)
#   docker run IMAGE python -m bots.telegram           -> Telegram polling (development)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# The image is what runs in production: it refuses to start with the development SECRET_KEY or
# DATA_ENCRYPTION_KEY (pass -e TIEPDAN_ENV=development to try it out on a laptop).
ENV TIEPDAN_ENV=production
WORKDIR /app

# Tesseract with its Vietnamese data and pdftoppm read scanned paper letters in staff entry (service/domain/intake/ocr.py).
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie poppler-utils \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY service ./service
COPY bots ./bots
RUN pip install --no-cache-dir . && useradd --create-home --uid 10001 tiepdan
COPY config ./config
COPY migrations ./migrations
COPY alembic.ini ./
RUN mkdir -p /app/instance && chown -R tiepdan:tiepdan /app/instance

USER tiepdan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "--workers", "4", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "service.app:create_app()"]
