"""Grid work: patrols and the patrol log, visits and care plans, campaigns, field updates (issue 7)."""
