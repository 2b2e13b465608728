"""End-to-end: the services as real processes, talking through a real broker."""
