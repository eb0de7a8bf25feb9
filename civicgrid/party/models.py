"""Models of party."""
