"""Points: double-entry append-only ledger, rules, expiry by lots, the points shop (issue 5)."""
