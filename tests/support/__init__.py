"""Test harness: a real broker, real databases (PostgreSQL when CI provides it, else SQLite)."""
