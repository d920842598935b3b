"""Zalo Official Account adapter: signed webhook and event parsing; the client, tokens and sender are in
service.outbound.zalo."""
