"""Party organisations, dual reporting, joint committees, alliances and the three lists (issue 6)."""
