"""Periodic reports (TT 01/2024/TT-TTCP periods) as tables."""
