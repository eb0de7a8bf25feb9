"""The overview's 单位盟友力积分 counts only points credited on the ledger: a contribution to a
project still planned or in progress has earned nothing yet."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.party import figures, services
from civicgrid.party.constants import ProjectStatus, ResourceKind
from civicgrid.party.models import Project
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_alliances import PNG, need, resource

pytestmark = pytest.mark.django_db


def project(pw: PartyWorld, title: str) -> Project:
    return services.project_create(
        actor=pw.city.bob,
        need=need(pw, title=title),
        owner_unit=pw.tax,
        data=services.ProjectIn(
            title=title,
            owner_name="钱主任",
            starts_on=date.today() - timedelta(days=20),
            ends_on=date.today() + timedelta(days=10),
        ),
    )


def test_only_credited_points_are_counted(pw: PartyWorld) -> None:
    funds = resource(pw, ResourceKind.FUNDS, 120.306, 31.575)
    done = project(pw, "楼道灯加装")
    open_ = project(pw, "楼道扶手")
    for row, points in ((done, 140), (open_, 80)):
        services.project_contribution_add(
            actor=pw.city.bob, project=row, resource=funds, description="出资", points=points
        )
    services.project_status_change(actor=pw.city.bob, project=done, to_status=ProjectStatus.IN_PROGRESS)
    services.project_photo_add(
        actor=pw.city.bob,
        project=done,
        upload=SimpleUploadedFile("完工.png", PNG, content_type="image/png"),
        caption="完工",
    )
    services.project_status_change(
        actor=pw.city.bob, project=done, to_status=ProjectStatus.DONE, results="加装楼道灯42盏"
    )
    services.project_status_change(actor=pw.city.bob, project=open_, to_status=ProjectStatus.IN_PROGRESS)
    top = figures.unit_contributions(pw.city.bob)
    assert len(top) == 1
    assert top[0].unit == pw.tax and top[0].points == 140 and top[0].projects == 1
    assert top[0].amount == Decimal("0")
