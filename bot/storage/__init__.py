"""aiosqlite storage: the single source of truth."""
