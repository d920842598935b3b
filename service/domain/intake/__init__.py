"""Intake: every channel's InboundMessage validated under the law of intake, stored, stamped, handed on."""
