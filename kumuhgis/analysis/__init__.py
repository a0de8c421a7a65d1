"""Analysis: pure functions from a city snapshot (or plain frames) to frames.

Nothing here reads or writes a file, opens the store or knows the web (docs/architecture.md);
the import contracts in pyproject.toml hold this in CI.
"""
