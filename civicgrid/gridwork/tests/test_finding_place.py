"""Where a grid worker may record what they saw, and following the request it became.

alice is the grid worker of 胜利门一网格 (A1-1, 120.30–120.31 × 31.57–31.58). A point in
通江一网格 (another street, 通江街道) is not hers: refused, naming the place, with nothing
stored. A point just outside her boundary (phone GPS) is hers within
``LOCATOR_NEAREST_METRES``; a report made there may land in the neighbouring grid, and
alice still follows the request she raised.
"""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role
from civicgrid.conftest import make_user
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.gridwork import services
from civicgrid.gridwork.models import Finding, Photo
from civicgrid.gridwork.tests.conftest import Field, audit_count, png
from civicgrid.gridwork.tests.test_api import Phone, finding_form
from civicgrid.requests import selectors as request_selectors
from civicgrid.requests.models import Request
from civicgrid.territory import services as territory
from civicgrid.territory.models import NodeKind

pytestmark = pytest.mark.django_db

TONGJIANG = {"lon": 120.33, "lat": 31.585}  # inside 通江一网格, about 2 km from A1-1
JUST_SOUTH = {"lon": 120.305, "lat": 31.569}  # about 111 m south of A1-1, in no grid
JUST_EAST = {"lon": 120.311, "lat": 31.575}  # about 95 m east of A1-1, inside 胜利门二网格


def seen(**kw: Any) -> services.FindingIn:
    data: dict[str, Any] = {
        "category": "environment",
        "description": "路边垃圾桶满溢",
        "outcome": "reported",
        "address": "通江大道",
        "photos": [png()],
        **TONGJIANG,
    }
    data.update(kw)
    return services.FindingIn(**data)


def nothing_stored(before: int) -> bool:
    return (
        not Finding.objects.exists()
        and not Request.objects.exists()
        and not Photo.objects.exists()
        and audit_count() == before
    )


def test_a_report_from_another_street_is_refused_naming_the_place(field: Field) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.finding_record(actor=field.alice, client_key="far-report-1", data=seen())
    assert exc.value.code == "outside_grid" and list(exc.value.errors) == ["lon"]
    message = exc.value.message
    assert "位置不在您负责的网格内" in message and "通江街道通江社区通江一网格" in message
    assert "胜利门一网格" in message and "公里" in message and "200米" in message
    assert nothing_stored(before)


def test_a_finding_only_recorded_there_is_refused_too(field: Field) -> None:
    before = audit_count()
    with pytest.raises(ValidationError):
        services.finding_record(
            actor=field.alice, client_key="far-record-1", data=seen(outcome="recorded", photos=[])
        )
    assert nothing_stored(before)


def test_a_point_outside_every_grid_is_refused_when_far(field: Field) -> None:
    with pytest.raises(ValidationError) as exc:
        services.finding_record(actor=field.alice, client_key="far-away-01", data=seen(lon=120.25, lat=31.50))
    assert "本辖区各网格以外" in exc.value.message


def test_a_point_just_outside_the_boundary_is_her_grid(field: Field) -> None:
    saved = services.finding_record(
        actor=field.alice, client_key="edge-south-1", data=seen(outcome="recorded", photos=[], **JUST_SOUTH)
    )
    assert saved.entry.node == field.city.grid_a1_1


def test_the_tolerance_is_the_locators(field: Field, settings: Any) -> None:
    settings.LOCATOR_NEAREST_METRES = 50
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.finding_record(actor=field.alice, client_key="edge-strict", data=seen(**JUST_SOUTH))
    assert "111米" in exc.value.message and "50米" in exc.value.message
    assert nothing_stored(before)


def test_a_report_over_the_boundary_is_hers_and_she_follows_its_request(field: Field) -> None:
    saved = services.finding_record(actor=field.alice, client_key="edge-east-01", data=seen(**JUST_EAST))
    finding, request = saved.entry, saved.entry.request
    assert request is not None
    # The finding is in her grid; the request where it happened, for that grid to handle.
    assert finding.node == field.city.grid_a1_1 and request.node == field.city.grid_a1_2
    assert request_selectors.request_read(field.alice, request.pk) == request
    # She reads it; it does not join her lists, counts or the targets of her actions.
    assert not request_selectors.requests_visible(field.alice).filter(pk=request.pk).exists()
    with pytest.raises(NotFound):
        request_selectors.request_get(field.alice, request.pk)
    assert request_selectors.request_get(field.pete, request.pk) == request  # A1-2's worker
    with pytest.raises(NotFound):
        request_selectors.request_read(field.ivan, request.pk)  # alice's colleague: not his
    with pytest.raises(NotFound):
        request_selectors.request_read(field.city.carol, request.pk)  # another community
    page = Client()
    page.force_login(field.alice)
    assert page.get(f"/requests/{request.pk}/").status_code == 200


def test_a_worker_of_a_grid_without_boundary_is_not_refused(field: Field) -> None:
    """Nothing to measure against: the point may lie in that grid."""
    grid = territory.node_create(
        actor=field.city.sysadmin, kind=NodeKind.GRID, name="胜利门三网格", parent=field.city.comm_a1
    )
    rosa = make_user("rosa", "罗莎")
    accounts.role_grant(actor=None, system=True, user=rosa, role=Role.GRID_WORKER, node=grid)
    saved = services.finding_record(
        actor=rosa, client_key="no-border-1", data=seen(outcome="recorded", photos=[])
    )
    assert saved.entry.node == grid


def test_the_page_shows_the_refusal_at_the_place_field(field: Field) -> None:
    page = Client()
    page.force_login(field.alice)
    before = audit_count()
    answer = page.post(
        "/gridwork/m/finding/",
        {
            "client_key": "page-far-01",
            "category": "environment",
            "description": "路边垃圾桶满溢",
            "outcome": "reported",
            "request_type": "help",
            "lon": "120.33",
            "lat": "31.585",
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 422 and "位置不在您负责的网格内" in text
    place_field = text[
        text.index('class="fld locate') : text.index("</div>", text.index('class="fld locate'))
    ]
    assert "has-err" in place_field and "通江一网格" in place_field
    assert nothing_stored(before)


def test_the_phone_gets_a_readable_message(field: Field) -> None:
    """The offline queue shows ``message`` as it is: Chinese, no field code in front."""
    before = audit_count()
    answer = Phone(field.alice).post(
        "/findings", finding_form("api-far-0001", lon="120.33", lat="31.585"), multipart=True
    )
    body = answer.json()
    assert answer.status_code == 422 and body["code"] == "outside_grid"
    assert body["message"].startswith("位置不在您负责的网格内") and "通江一网格" in body["message"]
    assert body["detail"] == {"lon": [body["message"]]}
    assert nothing_stored(before)
