from typing import Any

from django_tasks import task

from civicgrid.gridwork.services import care_scan


@task()
def scan_care_plans() -> dict[str, Any]:
    """The traffic lights of care visits (see ``services.care.care_scan``); safe to run any time."""
    return care_scan()
