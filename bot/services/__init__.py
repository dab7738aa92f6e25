"""Use cases, one transaction each; access is checked here, not only in handlers."""
