"""The SQLite implementation of the storage contract (aiosqlite; the embedded default)."""
