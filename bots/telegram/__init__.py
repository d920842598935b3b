"""Telegram adapter: webhook route, polling mode (`python -m bots.telegram`); the sender is service.outbound.telegram."""
