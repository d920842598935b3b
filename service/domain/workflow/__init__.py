"""The legal workflow: the one table of allowed moves, and the actions."""
