"""The publication service."""
