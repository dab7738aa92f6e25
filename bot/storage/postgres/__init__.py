"""PostgreSQL: the pooled backend beside SQLite (see `db.py`)."""
