"""Telegram adapter: webhook route, polling mode (`python -m bots.telegram`), outbox sender."""
