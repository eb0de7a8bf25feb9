"""Proactive governance: hot issues, monthly topics, solve before asked, spikes (issue 4)."""
