"""Two staff editing one shop item: the second save, made from the version both read, is
refused (409, 该商品已被他人修改，请刷新后再试) and changes nothing; it no longer silently
undoes the first. Sequential (service, page, API) and, on PostgreSQL, two threads at once."""

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from civicgrid.accounts import services as accounts
from civicgrid.accounts.models import Role, User
from civicgrid.conftest import make_user
from civicgrid.core.errors import Conflict
from civicgrid.core.models import AuditLog
from civicgrid.points import services
from civicgrid.points.constants import Verb
from civicgrid.points.models import Goods
from civicgrid.points.tests.conftest import PointsWorld
from civicgrid.territory.tests.threads import postgres_only, run_at_once

STALE = "该商品已被他人修改，请刷新后再试"
API = "/api/v1/points"


def second_shopkeeper(pw: PointsWorld) -> User:
    """Another community worker of A1, who manages the same shop as bob."""
    helen = make_user("helen", "何丽")
    accounts.role_grant(actor=None, system=True, user=helen, role=Role.COMMUNITY_WORKER, node=pw.city.comm_a1)
    return helen


def listing(goods: Goods) -> tuple[Any, ...]:
    goods.refresh_from_db()
    return (
        goods.name,
        goods.price,
        goods.description,
        goods.per_person_limit,
        goods.is_active,
        goods.version,
    )


def updates() -> int:
    return AuditLog.objects.filter(verb=Verb.GOODS_UPDATED).count()


@pytest.mark.django_db
def test_a_second_save_from_the_same_version_is_refused_and_changes_nothing(pw: PointsWorld) -> None:
    helen = second_shopkeeper(pw)
    read = Goods.objects.get(pk=pw.soap.pk).version  # both open the edit form now
    services.goods_update(actor=pw.city.bob, goods=pw.soap, expected_version=read, price=12)
    after_first = listing(pw.soap)
    assert after_first[1] == 12 and after_first[-1] == read + 1
    with pytest.raises(Conflict) as exc:
        services.goods_update(actor=helen, goods=pw.soap, expected_version=read, name="香皂", price=10)
    assert exc.value.message == STALE and exc.value.http_status == 409
    assert exc.value.detail == {"version": read + 1}
    assert listing(pw.soap) == after_first and updates() == 1
    # Once she has read the new version, her edit goes through.
    services.goods_update(actor=helen, goods=pw.soap, expected_version=read + 1, name="香皂")
    assert listing(pw.soap)[:2] == ("香皂", 12) and updates() == 2


@pytest.mark.django_db
def test_restocking_does_not_make_an_open_edit_form_stale(pw: PointsWorld) -> None:
    read = Goods.objects.get(pk=pw.soap.pk).version
    services.goods_restock(actor=pw.city.bob, goods=pw.soap, quantity=3)
    services.goods_update(actor=pw.city.bob, goods=pw.soap, expected_version=read, price=11)
    assert listing(pw.soap)[1] == 11


def form(goods: Goods, version: int, **changes: Any) -> dict[str, Any]:
    data = {
        "name": goods.name,
        "description": goods.description,
        "price": str(goods.price),
        "unit_label": goods.unit_label,
        "per_person_limit": str(goods.per_person_limit),
        "is_active": "1",
        "version": str(version),
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_goods_page_refuses_the_stale_save_with_a_chinese_message(pw: PointsWorld) -> None:
    bob, helen = Client(), Client()
    bob.force_login(pw.city.bob)
    helen.force_login(second_shopkeeper(pw))
    url = f"/points/goods/{pw.soap.pk}/"
    assert f'name="version" value="{pw.soap.version}"' in bob.get(url).content.decode()
    read = Goods.objects.get(pk=pw.soap.pk)
    assert bob.post(url, form(read, read.version, price="15")).status_code == 302
    after_first = listing(pw.soap)
    response = helen.post(url, form(read, read.version, name="香皂"))
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 302 and told == [STALE]
    assert listing(pw.soap) == after_first and after_first[:2] == ("洗衣皂", 15) and updates() == 1


@pytest.mark.django_db
def test_the_api_answers_409_to_a_stale_patch(pw: PointsWorld) -> None:
    bob, helen = Client(), Client()
    bob.force_login(pw.city.bob)
    helen.force_login(second_shopkeeper(pw))
    url = f"{API}/goods/{pw.soap.pk}"
    read = bob.get(f"{API}/goods").json()[0]["version"]
    first = bob.patch(url, {"price": 13, "expected_version": read}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == read + 1
    after_first = listing(pw.soap)
    stale = helen.patch(url, {"name": "香皂", "expected_version": read}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["message"] == STALE and stale.json()["detail"] == {"version": read + 1}
    assert listing(pw.soap) == after_first and updates() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_at_once_from_one_version_one_wins(pw: PointsWorld) -> None:
    helen = second_shopkeeper(pw)
    read = Goods.objects.get(pk=pw.soap.pk).version
    results = run_at_once(
        lambda: services.goods_update(actor=pw.city.bob, goods=pw.soap, expected_version=read, price=20),
        lambda: services.goods_update(actor=helen, goods=pw.soap, expected_version=read, name="香皂"),
        stagger=0,
    )
    won = [r for r in results if isinstance(r, Goods)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], Conflict) and lost[0].message == STALE
    name, price, *_, version = listing(pw.soap)
    assert version == read + 1 and (name, price) in {("洗衣皂", 20), ("香皂", 10)}
    assert (name, price) == (won[0].name, won[0].price) and updates() == 1
