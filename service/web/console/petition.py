"""Console views: one petition (placeholder until written)."""
