"""Models of volunteers."""
