from typing import Any

from django_tasks import task

from civicgrid.requests.services.warnings import deadline_scan


@task()
def scan_deadlines() -> dict[str, Any]:
    return deadline_scan()
