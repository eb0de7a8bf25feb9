"""Models of gridwork."""
