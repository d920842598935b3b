"""Accounts, the access policy, the audit log, personal data and its redaction."""
