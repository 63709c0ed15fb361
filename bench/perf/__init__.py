"""Performance at archive scale against SQLite FTS5 (`python -m bench.perf`, see BENCHMARKS.md)."""
