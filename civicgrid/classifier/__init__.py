"""Request classifier: normalise text, train, evaluate, version, suggest (issue 4)."""
