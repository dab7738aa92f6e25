"""Pure rules and models: no I/O, no telegram, no aiosqlite, no jinja2, no apscheduler."""
