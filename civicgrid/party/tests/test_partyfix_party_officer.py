"""The subdistrict party-building office (党建办 / 党建专干, ``Role.PARTY_OFFICER``) runs party
building over its subdistrict: its pages, a subdistrict alliance, confirming a community's
reports; it gets no population registry nor personal data, and binds only to a subdistrict or
district. The demo city has a login for it on its first subdistrict."""

from datetime import date

import pytest
from django.urls import reverse

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, has_capability
from civicgrid.conftest import make_user
from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.demo.staff import LOGINS
from civicgrid.party import selectors, services
from civicgrid.party.constants import AllianceLevel, ReportStatus, ServiceType
from civicgrid.party.models import Alliance
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_pages import client_for
from civicgrid.territory.models import NodeKind

pytestmark = pytest.mark.django_db


def officer(pw: PartyWorld) -> User:
    user = make_user("partyoffice", "赵红")
    accounts.role_grant(actor=None, system=True, user=user, role=Role.PARTY_OFFICER, node=pw.city.sub_a)
    return user


def test_the_officer_runs_party_building_in_the_subdistrict(pw: PartyWorld) -> None:
    user = officer(pw)
    c = pw.city
    for capability in (Capability.PARTY_VIEW, Capability.PARTY_EDIT, Capability.EXPORT):
        assert can(user, capability, c.comm_a1.path)
        assert not can(user, capability, c.comm_b1.path)
    for capability in (Capability.REGISTRY_VIEW, Capability.PII_VIEW, Capability.REGISTRY_EDIT):
        assert not has_capability(user, capability)
    client = client_for(user)
    response = client.post(
        reverse("party:alliance_new"), {"node": c.sub_a.pk, "name": "街道红色联盟"}, follow=True
    )
    assert response.status_code == 200
    row = Alliance.objects.get(name="街道红色联盟")
    assert row.level == AllianceLevel.SUBDISTRICT and row.node == c.sub_a
    services.alliance_unit_join(actor=user, alliance=row, unit=pw.tax, joined_on=date.today())
    report = services.member_report_submit(
        actor=pw.zhang_user,
        member=pw.zhang,
        pledge_list=["每月参加一次楼道清理"],
        service_type_list=[ServiceType.ENVIRONMENT],
    )
    response = client.post(reverse("party:report_act", args=[report.pk]), {"action": "confirm"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CONFIRMED
    for name in ("overview", "organisations", "members", "reporting", "reports", "alliances", "committees"):
        assert client.get(reverse(f"party:{name}")).status_code == 200, name
    assert client.get(reverse("party:member", args=[pw.zhang.pk])).status_code == 200
    assert client.get("/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.alliance_create(actor=user, node=c.comm_b1, name="外街道联盟")
    assert not selectors.alliances_visible(c.carol).filter(pk=row.pk).exists()


def test_the_role_binds_to_a_subdistrict_or_district_only(pw: PartyWorld) -> None:
    user = make_user("partyoffice2", "钱党建")
    with pytest.raises(ValidationError):
        accounts.role_grant(actor=None, system=True, user=user, role=Role.PARTY_OFFICER, node=pw.city.comm_a1)
    accounts.role_grant(actor=None, system=True, user=user, role=Role.PARTY_OFFICER, node=pw.city.district)


def test_the_demo_has_a_login_for_it() -> None:
    found = [login for login in LOGINS if login.role == Role.PARTY_OFFICER]
    assert [(login.username, login.level) for login in found] == [("party", NodeKind.SUBDISTRICT)]
