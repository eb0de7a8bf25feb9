"""Finding what a page or an API call acts on, for staff and for residents alike.

Each finder returns the row when the actor may at least see it (staff of the place, the
resident it concerns, a volunteer of the community for published activities and orders)
and ``NotFound`` otherwise, so an outsider learns nothing. The services check again what
the actor may do.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_q
from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.registry.models import Organisation, Resident
from civicgrid.registry.selectors import residents_visible
from civicgrid.territory.models import Node
from civicgrid.territory.selectors import node_get
from civicgrid.volunteers.constants import ActivityStatus, OrderStatus, TakerKind, VolunteerStatus
from civicgrid.volunteers.models import Activity, ServiceOrder, Team, Volunteer
from civicgrid.volunteers.permissions import acting_resident, acting_volunteer, order_staff_q
from civicgrid.volunteers.services import Taker
from civicgrid.volunteers.services.activities import is_organiser


def _or(*parts: Q | None) -> Q | None:
    """OR of scope parts; None (everywhere) wins."""
    if any(p is None for p in parts):
        return None
    combined = Q(pk__in=[])
    for p in parts:
        combined |= p  # type: ignore[operator]
    return combined


def activity_for(actor: Any, pk: int) -> Activity:
    """An activity of the actor's scope, one they signed up for, or a published one of their community."""
    mine = acting_volunteer(actor)
    own = Q(pk__in=[])
    if mine is not None:
        own = Q(signups__volunteer=mine) | Q(community_id=mine.community_id, status=ActivityStatus.PUBLISHED)
    q = _or(scope_q(actor, Capability.VOLUNTEER_MANAGE), own, _led_teams(actor))
    qs = Activity.objects.select_related("community", "team", "node").filter(pk=pk)
    found = (qs if q is None else qs.filter(q)).distinct().first()
    if found is None:
        raise NotFound(_("活动不存在或您无权查看"))
    return found


def _led_teams(actor: Any) -> Q:
    resident = acting_resident(actor)
    if resident is None:
        return Q(pk__in=[])
    return Q(team__members__volunteer__resident=resident, team__members__is_leader=True)


def order_for(actor: Any, pk: int) -> ServiceOrder:
    """An order of the actor's scope, one they placed, are served by or hold, or a published
    one of their community (to take it)."""
    resident = acting_resident(actor)
    own = Q(pk__in=[])
    if resident is not None:
        own = Q(orderer_resident=resident) | Q(beneficiary=resident) | Q(taker_resident=resident)
        volunteer = acting_volunteer(actor)
        if volunteer is not None and volunteer.status == VolunteerStatus.APPROVED:
            own |= Q(community_id=volunteer.community_id, status=OrderStatus.PUBLISHED)
    q = _or(order_staff_q(actor), own)
    qs = ServiceOrder.objects.select_related(
        "community", "node", "taker_volunteer__resident", "taker_resident", "taker_organisation"
    ).filter(pk=pk)
    found = (qs if q is None else qs.filter(q)).first()
    if found is None:
        raise NotFound(_("服务单不存在或您无权查看"))
    return found


def volunteer_for_activity(actor: Any, activity: Activity, volunteer_id: int | None) -> Volunteer | None:
    """The volunteer an organiser acts for (None: the actor themself)."""
    if volunteer_id is None:
        return None
    if not is_organiser(actor, activity):
        raise PermissionDenied(_("您无权为其他志愿者报名或签到"))
    found = (
        Volunteer.objects.select_related("resident")
        .filter(pk=volunteer_id)
        .filter(Q(signups__activity=activity) | Q(community_id=activity.community_id))
        .distinct()
        .first()
    )
    if found is None:
        raise ValidationError(_("志愿者不存在或不属于本社区"), field="volunteer_id")
    return found


def staff_volunteer(actor: Any, volunteer_id: int, field: str = "volunteer_id") -> Volunteer:
    q = scope_q(actor, Capability.VOLUNTEER_MANAGE)
    qs = Volunteer.objects.select_related("resident", "community").filter(pk=volunteer_id)
    found = (qs if q is None else qs.filter(q)).first()
    if found is None:
        raise ValidationError(_("志愿者不存在或不在您的管理范围"), field=field)
    return found


def staff_team(actor: Any, team_id: int) -> Team:
    q = scope_q(actor, Capability.VOLUNTEER_MANAGE)
    qs = Team.objects.select_related("node").filter(pk=team_id)
    found = (qs if q is None else qs.filter(q)).first()
    if found is None:
        raise NotFound(_("志愿服务队不存在或您无权查看"))
    return found


def led_teams(actor: Any) -> QuerySet[Team]:
    """The active teams the actor leads as an approved volunteer (none for staff accounts
    without a resident)."""
    resident = acting_resident(actor)
    if resident is None:
        return Team.objects.none()
    return Team.objects.filter(
        is_active=True,
        members__volunteer__resident=resident,
        members__volunteer__status=VolunteerStatus.APPROVED,
        members__is_leader=True,
    ).distinct()


def leader_areas(actor: Any) -> QuerySet[Node]:
    """Communities and grids of the teams the actor leads (where they may publish for them)."""
    paths = list(led_teams(actor).values_list("node_path", flat=True))
    if not paths:
        return Node.objects.none()
    under = Q(pk__in=[])
    for p in paths:
        under |= Q(path__startswith=p)
    return Node.objects.filter(under, is_active=True)


def publish_target(actor: Any, node_id: int, team_id: int | None) -> tuple[Node, Team | None]:
    """The area and team of a new activity: a team the actor leads, in that team's area (its
    community or below), or else, as for staff, an area and a team of their scope."""
    if team_id is not None:
        team = led_teams(actor).select_related("node").filter(pk=team_id).first()
        if team is not None:
            node = Node.objects.filter(pk=node_id, is_active=True, path__startswith=team.node_path).first()
            if node is not None:
                return node, team
    node = node_get(actor, node_id)
    return node, (staff_team(actor, team_id) if team_id is not None else None)


def taker_from(
    actor: Any,
    kind: str,
    *,
    volunteer_id: int | None = None,
    resident_id: int | None = None,
    organisation_id: int | None = None,
) -> Taker:
    """The taker staff picked: a volunteer they manage, a party member (a resident they see in
    the registry) or a unit (any registered organisation: partner units may sit elsewhere)."""
    if kind == TakerKind.VOLUNTEER:
        if volunteer_id is None:
            raise ValidationError(_("请选择志愿者"), field="volunteer_id")
        return Taker.of_volunteer(staff_volunteer(actor, volunteer_id))
    if kind == TakerKind.PARTY_MEMBER:
        resident = residents_visible(actor).filter(pk=resident_id).first() if resident_id else None
        if resident is None:
            raise ValidationError(_("请选择党员（本辖区在册居民）"), field="resident_id")
        return Taker.of_party_member(party_member(resident, "resident_id"))
    if kind == TakerKind.UNIT:
        organisation = Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
        if organisation is None:
            raise ValidationError(_("请选择共建单位"), field="organisation_id")
        return Taker.of_unit(organisation)
    raise ValidationError(_("接单方类别应为 volunteer、party_member 或 unit"), field="taker_kind")


# The registry tag of a party member (``registry.constants`` tag code 党员).
PARTY_MEMBER_TAG = "party_member"


def party_member(resident: Resident, field: str) -> Resident:
    """``resident`` when they are a party member (tagged 党员 in the registry, or a member on
    a party organisation's roll); else a refusal naming ``field``."""
    member = (
        resident.tags.filter(code=PARTY_MEMBER_TAG).exists()
        or resident.party_memberships.filter(is_active=True).exists()
    )
    if not member:
        reason = _("「{name}」不是党员，请填写党员的姓名、手机号或身份证号").format(name=resident.name)
        raise ValidationError(reason, field=field)
    return resident


def own_volunteer(actor: Any) -> Volunteer:
    """The actor's own volunteer record (any status), for the H5 pages and /me."""
    volunteer = acting_volunteer(actor)
    if volunteer is None:
        raise NotFound(_("您还不是志愿者，请先注册"))
    return volunteer
