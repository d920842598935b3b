"""Zalo Official Account adapter: signed webhook, our own small Open API v3 client, outbox sender."""
