"""Reading, validating and caching the datasets: every file, every check, every source tier."""
