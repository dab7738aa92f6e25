"""Benchmarks of the PTO assistant against a bare python-telegram-bot bot (`python -m bench`)."""
