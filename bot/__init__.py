"""The PTO assistant: a chat assistant for Parttime ondernemen vanuit de bijstand."""

__version__ = "0.1.0"
