"""Volunteers, teams, activities and service orders (点单·派单·接单·晒单) (issue 5)."""
