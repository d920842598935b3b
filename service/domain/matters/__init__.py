"""Same-matter grouping and the đông người / phức tạp, kéo dài flags it raises."""
