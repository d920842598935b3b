"""Accountability in the open (issue #21): public figures per office, published answers, scorecards of the
offices and their heads. Plain functions over a Session; the web views are thin adapters."""
