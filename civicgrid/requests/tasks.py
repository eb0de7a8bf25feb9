from typing import Any

from django_tasks import task

from civicgrid.requests.services.warnings import deadline_scan


@task()
def scan_deadlines() -> dict[str, Any]:
    return deadline_scan()


@task()
def recompute_deadlines(years: list[int]) -> dict[str, Any]:
    """Open requests' deadlines counted anew after the work calendar of ``years`` changed."""
    from civicgrid.requests.recompute import recompute_deadlines as recompute

    return recompute(years)
