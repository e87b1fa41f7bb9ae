"""Benchmarks: the engine, the HTTP path, PostgreSQL scale-out, the python-telegram-bot baseline."""
