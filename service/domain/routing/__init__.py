"""The plans' task catalogues and the units' offices: which office leads a petition."""
