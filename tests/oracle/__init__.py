"""Oracles: the rules written the plain, slow way, for tests to compare the real code against."""
