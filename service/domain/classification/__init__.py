"""Kind and field of a petition from its free Vietnamese text."""
