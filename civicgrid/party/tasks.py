"""Periodic work of party building (run by the task worker or ``civicgrid party_tick``)."""

from typing import Any

from django_tasks import task

from civicgrid.party.services.committees import committee_activity_check


@task()
def check_committee_activity() -> dict[str, Any]:
    """Warn about joint committees that held no meeting or activity last quarter (idempotent)."""
    return committee_activity_check()
