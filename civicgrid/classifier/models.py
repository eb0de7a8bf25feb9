"""Models of classifier."""
