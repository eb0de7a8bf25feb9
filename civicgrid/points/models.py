"""Models of points."""
