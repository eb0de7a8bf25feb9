"""What a volunteer's card says of the volunteer (``{% load volunteer_card %}``)."""

from typing import Any

from django import template

from civicgrid.volunteers.constants import VolunteerKind

register = template.Library()


@register.filter
def kind_label(volunteer: Any) -> str:
    """The volunteer's kind as the card shows it. For a resident on the party register (an
    active ``party.PartyMember``) it is the register's category (社区党员, 在职党员, 新就业群体),
    which decides 双报到 on the member's own page, rather than the kind picked when
    registering as a volunteer, so the two pages never disagree; staff of a partner unit and
    everyone else keep the volunteer's kind."""
    if volunteer.kind != VolunteerKind.UNIT_STAFF:
        # The reverse relation of party.PartyMember.resident (absent without the party app).
        memberships = getattr(volunteer.resident, "party_memberships", None)
        member = memberships.filter(is_active=True).first() if memberships is not None else None
        if member is not None:
            return str(member.get_category_display())
    return str(volunteer.get_kind_display())
