"""Outgoing notices, queued in the caller's transaction for the senders of service/outbound."""
