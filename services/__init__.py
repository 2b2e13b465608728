"""The four services; they never import each other."""
