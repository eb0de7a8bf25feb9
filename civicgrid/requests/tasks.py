from typing import Any

from django_tasks import task

from civicgrid.requests.services.warnings import deadline_scan
from civicgrid.requests.services.whistle import report_in_scan


@task()
def scan_deadlines() -> dict[str, Any]:
    result = deadline_scan()
    result["report_in"] = report_in_scan()  # 报到期限 of open whistles
    return result


@task()
def recompute_deadlines(years: list[int]) -> dict[str, Any]:
    """Open requests' deadlines counted anew after the work calendar of ``years`` changed."""
    from civicgrid.requests.recompute import recompute_deadlines as recompute

    return recompute(years)
