"""The Zalo OA sender: our own httpx client of the Open API (client.py), the single-use token pair kept in
the database (tokens.py) and the sender of the outbox registry (sender.py)."""
