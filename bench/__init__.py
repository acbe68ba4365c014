"""Benchmark: dangan against SQLite FTS5 trigram and naive jieba + Whoosh (python -m bench.run)."""
