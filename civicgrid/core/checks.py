"""System checks of a deployment (``civicgrid check``, and before ``migrate`` and ``runserver``).

* ``civicgrid.W001``: ``CIVICGRID_PUBLIC_URL`` unset in production — QR doorplates, the SMS
  rating link and Open311 discovery then carry no host (``/r/<token>``) or the wrong one.

Registered by ``core.apps.CoreConfig.ready``.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


def _production() -> bool:
    return not (settings.DEBUG or bool(getattr(settings, "TESTING", False)))


@register(Tags.compatibility, deploy=False)
def public_url_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not _production() or str(getattr(settings, "PUBLIC_BASE_URL", "") or ""):
        return []
    return [
        Warning(
            "CIVICGRID_PUBLIC_URL is not set",
            hint=(
                "Set it to the address residents and staff use, e.g. https://grid.example.gov.cn: "
                "without it the SMS rating link is a bare /r/<token>, and doorplate QR codes and "
                "Open311 discovery take the host of whichever request built them."
            ),
            id="civicgrid.W001",
        )
    ]
