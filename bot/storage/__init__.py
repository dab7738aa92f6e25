"""Storage, the single source of truth: repositories here, backends in sqlite/ and postgres/."""
