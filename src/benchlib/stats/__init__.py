"""Statistics for mystery-shopping benchmarks (tidy data in, tidy results out)."""
