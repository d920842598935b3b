"""Domain logic: plain functions over a SQLAlchemy Session. No web, chat or HTTP libraries here."""
