"""Casework on one petition: assignment, notes, the staff inbox, the citizen's status view, answer drafts."""
