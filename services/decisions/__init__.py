"""The decisions service."""
