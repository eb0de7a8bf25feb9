"""A request (诉求) is on the needs list once: two sessions putting it there at the same moment
get one need and one clear refusal, decided by the partial unique index
``party_one_open_need_per_request`` (PostgreSQL, threads); one after the other, on both databases."""

import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from civicgrid.conftest import City
from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource, NeedStatus, Verb
from civicgrid.party.models import Need
from civicgrid.party.services import alliances
from civicgrid.party.tests.conftest import PartyWorld, build_party_world
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import Hotline
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit

API = "/api/v1/party/needs/from-request"
LISTED = "该诉求已在需求清单中"


def _request(city: City, hotline: Hotline) -> Request:
    from civicgrid.requests.services import request_create

    return request_create(actor=city.olivia, data=hotline.new(title="小区路灯不亮", lon=120.305, lat=31.575))


def _client(city: City) -> Client:
    client = Client()
    client.force_login(city.bob)
    return client


def _post_api(client: Client, found: Request) -> Any:
    body = {"request_id": found.pk, "category": NeedCategory.OTHER}
    return client.post(API, data=json.dumps(body), content_type="application/json")


def _open_needs(found: Request) -> int:
    return Need.objects.filter(request=found).exclude(status=NeedStatus.CLOSED).count()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgres_only
def test_two_at_once_through_the_service_make_one_need(
    city: City, hotline: Hotline, monkeypatch: Any
) -> None:
    build_party_world(city)
    found = _request(city, hotline)
    slow_audit(monkeypatch, alliances)  # the first holds its uncommitted need while the second inserts
    checks: list[bool] = []
    real = alliances._listed

    def spy(request: Any) -> bool:
        checks.append(real(request))
        return checks[-1]

    monkeypatch.setattr(alliances, "_listed", spy)

    def put() -> Any:
        return services.need_from_request(actor=city.bob, request=found, category=NeedCategory.OTHER)

    results = run_at_once(put, put)
    made = [r for r in results if isinstance(r, Need)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert refused[0].message == LISTED
    assert checks[:2] == [False, False]  # both passed the early check: the index decided
    assert _open_needs(found) == 1
    assert AuditLog.objects.filter(verb=Verb.NEED_CREATED).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@postgres_only
def test_two_api_posts_at_once_give_201_and_422(city: City, hotline: Hotline, monkeypatch: Any) -> None:
    build_party_world(city)
    found = _request(city, hotline)
    slow_audit(monkeypatch, alliances)

    def post() -> Any:
        return _post_api(_client(city), found)

    responses = run_at_once(post, post)
    assert sorted(r.status_code for r in responses) == [201, 422], [r.content for r in responses]
    refused = next(r for r in responses if r.status_code == 422).json()
    assert refused["message"] == LISTED
    assert _open_needs(found) == 1


@pytest.mark.django_db
def test_one_after_the_other_the_second_is_refused_until_the_need_is_closed(
    pw: PartyWorld, hotline: Hotline
) -> None:
    found = _request(pw.city, hotline)
    bob = _client(pw.city)
    first = _post_api(bob, found)
    assert first.status_code == 201, first.content
    second = _post_api(bob, found)
    assert second.status_code == 422 and second.json()["message"] == LISTED
    page = bob.post("/party/needs/from-request/", {"number": found.number, "category": "other"}, follow=True)
    assert LISTED in page.content.decode()
    assert _open_needs(found) == 1
    need = Need.objects.get(request=found)
    services.need_close(actor=pw.city.bob, need=need, reason="重复")
    again = services.need_from_request(actor=pw.city.bob, request=found, category=NeedCategory.OTHER)
    assert again.source == NeedSource.REQUEST and _open_needs(found) == 1
    assert Need.objects.filter(request=found).count() == 2


@pytest.mark.django_db
def test_the_index_alone_keeps_one_open_need_per_request(pw: PartyWorld, hotline: Hotline) -> None:
    found = _request(pw.city, hotline)
    node = pw.city.comm_a1

    def make(status: str = NeedStatus.OPEN, request: Request | None = found) -> Need:
        return Need.objects.create(
            node=node,
            node_path=node.path,
            title="路灯",
            category=NeedCategory.OTHER,
            source=NeedSource.REQUEST,
            request=request,
            status=status,
        )

    make(NeedStatus.CLOSED)
    make(NeedStatus.CLOSED)
    make(NeedStatus.DONE)
    for status in (NeedStatus.OPEN, NeedStatus.MATCHED, NeedStatus.ORDERED, NeedStatus.DONE):
        with pytest.raises(IntegrityError), transaction.atomic():
            make(status)
    make(request=None)
    make(request=None)  # needs from elsewhere are not limited
    assert _open_needs(found) == 1
