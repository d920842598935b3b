"""Web adapters: one blueprint per audience (citizens, staff console, JSON API, Open311)."""
