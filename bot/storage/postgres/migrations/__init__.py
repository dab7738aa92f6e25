"""Numbered PostgreSQL migrations: the same numbers and names as SQLite's."""
