"""Which requests a stranger may be shown at all: one definition for every public page.

Open311's public view (``civicgrid.open311.audience``) and the resident pages' similar
requests (跟进这件, H5 and doorplate) show requests to somebody who is nobody known. Only
requests about a public place qualify: a category of physical things a grid worker can go
and look at (the catalogue's 需要网格员现场核查, ``needs_verification``). Left out whatever
their category: consultations, requests for help and emergencies (一键报警 of a resident
living alone) — about a person, not a place — and grid workers' own reports from the field
(often about a vulnerable resident at home).
"""

from django.db.models import Q

from civicgrid.requests.constants import Channel, RequestType

# About a person rather than a place: never shown to a stranger, whatever the category.
PERSONAL_TYPES = (RequestType.CONSULTATION, RequestType.HELP, RequestType.EMERGENCY)
# Not residents' requests: the grid workers' own reports from the field.
INTERNAL_CHANNELS = (Channel.GRID_WORKER,)


def about_a_place_q(prefix: str = "") -> Q:
    """The requests a stranger may be shown; ``prefix`` ``"request__"`` for events."""
    return (
        Q(**{f"{prefix}category__needs_verification": True})
        & ~Q(**{f"{prefix}type__in": PERSONAL_TYPES})
        & ~Q(**{f"{prefix}channel__in": INTERNAL_CHANNELS})
    )
