"""What a shop item's fields may hold, and the staff forms after a refusal (outside tester).

* A name, description or unit longer than its column is refused, naming the field and its
  limit (商品名称最多100个字…), on the page (422) and the API (422), nothing changed. Before,
  PostgreSQL answered an edit with a 500 (value too long for varchar(100)), SQLite stored a
  300-character name, and creating an item cut the name, description and unit to fit.
* A refused goods form comes back (422) with what was typed and each reason beside its field;
  before, it redirected with a message and everything typed was gone.
"""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.points import services
from civicgrid.points.constants import Verb
from civicgrid.points.models import Goods, StockEntry
from civicgrid.points.tests.conftest import PointsWorld, counts

pytestmark = pytest.mark.django_db

API = "/api/v1/points"
TOO_LONG = [
    ("name", "名" * 300, "商品名称最多100个字（现为300个字）"),
    ("name", "名" * 101, "商品名称最多100个字（现为101个字）"),
    ("description", "说" * 256, "说明最多255个字（现为256个字）"),
    ("unit_label", "大号家庭装瓶子一箱共十二", "单位最多10个字（现为12个字）"),
]
FIELD_ERROR = '<span class="error field-error">{}</span>'


def listing(goods: Goods) -> tuple[Any, ...]:
    goods.refresh_from_db()
    return (goods.name, goods.description, goods.unit_label, goods.price, goods.version, goods.is_active)


def updates() -> int:
    return AuditLog.objects.filter(verb=Verb.GOODS_UPDATED).count()


def staff(pw: PointsWorld) -> Client:
    client = Client()
    client.force_login(pw.city.bob)
    return client


def edit_form(goods: Goods, **changes: str) -> dict[str, Any]:
    data = {
        "version": str(goods.version),
        "name": goods.name,
        "description": goods.description,
        "price": str(goods.price),
        "unit_label": goods.unit_label,
        "per_person_limit": str(goods.per_person_limit),
        "donor": str(goods.donor_id or ""),
        "is_active": "1",
    }
    return data | changes


# ------------------------------------------------------------------------------ lengths


@pytest.mark.parametrize(("field", "raw", "reason"), TOO_LONG)
def test_the_service_refuses_a_field_longer_than_its_column(
    pw: PointsWorld, field: str, raw: str, reason: str
) -> None:
    before = listing(pw.soap)
    with pytest.raises(ValidationError) as exc:
        services.goods_update(
            actor=pw.city.bob, goods=pw.soap, expected_version=pw.soap.version, **{field: raw}
        )
    assert exc.value.errors == {field: [reason]} and exc.value.http_status == 422
    assert listing(pw.soap) == before and updates() == 0


@pytest.mark.parametrize(("field", "raw", "reason"), TOO_LONG)
def test_creating_refuses_a_long_field_instead_of_cutting_it(
    pw: PointsWorld, field: str, raw: str, reason: str
) -> None:
    before = counts()
    fields: dict[str, Any] = {"name": "食用油", "price": 10} | {field: raw}
    with pytest.raises(ValidationError) as exc:
        services.goods_create(actor=pw.city.bob, node=pw.city.comm_a1, **fields)
    assert exc.value.errors == {field: [reason]}
    assert counts() == before and Goods.objects.count() == 1


def test_fields_at_their_limit_are_stored_whole(pw: PointsWorld) -> None:
    """Spaces around a value are dropped before it is measured; the limit itself is allowed."""
    goods = services.goods_create(
        actor=pw.city.bob,
        node=pw.city.comm_a1,
        name=" " + "名" * 100 + " ",
        price="10",
        stock="3",
        description="说" * 255,
        unit_label="单" * 10,
        per_person_limit="2",
    )
    goods.refresh_from_db()
    assert (len(goods.name), len(goods.description), len(goods.unit_label)) == (100, 255, 10)
    assert (goods.price, goods.stock, goods.per_person_limit) == (10, 3, 2)
    services.goods_update(actor=pw.city.bob, goods=goods, name="品" * 100, unit_label="")
    goods.refresh_from_db()
    assert goods.name == "品" * 100 and goods.unit_label == "件"


def test_the_edit_page_refuses_a_long_name_beside_the_field(pw: PointsWorld) -> None:
    """The tester's steps: as community, POST the edit form with name="名"*300 (500 on PostgreSQL)."""
    before = listing(pw.soap)
    response = staff(pw).post(
        f"/points/goods/{pw.soap.pk}/",
        edit_form(pw.soap, name="名" * 300, unit_label="大号家庭装瓶子一箱共十二", description="说" * 256),
    )
    body = response.content.decode()
    assert response.status_code == 422, body[:300]
    for _field, _raw, reason in TOO_LONG[:1] + TOO_LONG[2:]:
        assert FIELD_ERROR.format(reason) in body
    assert f'value="{"名" * 300}"' in body  # what was typed is kept
    assert listing(pw.soap) == before and updates() == 0


def test_the_create_page_refuses_a_long_name_and_creates_nothing(pw: PointsWorld) -> None:
    before = counts()
    form = {"community": pw.city.comm_a1.pk, "name": "名" * 101, "price": "10", "unit_label": "桶"}
    response = staff(pw).post("/points/goods/", form)
    body = response.content.decode()
    assert response.status_code == 422
    assert FIELD_ERROR.format("商品名称最多100个字（现为101个字）") in body
    assert counts() == before and not Goods.objects.filter(name__startswith="名").exists()


@pytest.mark.parametrize(("field", "raw", "reason"), TOO_LONG)
def test_the_api_answers_422_naming_the_field(pw: PointsWorld, field: str, raw: str, reason: str) -> None:
    client = staff(pw)
    before = listing(pw.soap)
    response = client.patch(f"{API}/goods/{pw.soap.pk}", {field: raw}, content_type="application/json")
    assert response.status_code == 422, response.content[:300]
    assert response.json()["detail"] == {field: [reason]}
    assert listing(pw.soap) == before and updates() == 0
    created = client.post(
        f"{API}/goods",
        {"node_id": pw.city.comm_a1.pk, "name": "食用油", "price": 10} | {field: raw},
        content_type="application/json",
    )
    assert created.status_code == 422 and created.json()["detail"] == {field: [reason]}
    assert Goods.objects.count() == 1


def test_the_api_patch_of_a_150_character_name(pw: PointsWorld) -> None:
    response = staff(pw).patch(
        f"{API}/goods/{pw.soap.pk}", {"name": "名" * 150}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "商品名称最多100个字" in response.json()["message"]


def test_a_long_restock_note_is_refused_not_cut(pw: PointsWorld) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.goods_restock(actor=pw.city.bob, goods=pw.soap, quantity=3, note="批" * 65)
    assert exc.value.errors == {"note": ["备注最多64个字（现为65个字）"]}
    assert counts() == before and StockEntry.objects.filter(goods=pw.soap).count() == 1


# ------------------------------------------------------------------------------ forms keep what was typed


def test_a_refused_new_item_comes_back_with_what_was_typed(pw: PointsWorld) -> None:
    """The tester's steps: POST /points/goods/ with price -1 — everything typed was gone."""
    before = counts()
    form = {
        "community": str(pw.city.comm_a1.pk),
        "name": "花生油",
        "price": "-1",
        "stock": "8",
        "unit_label": "桶",
        "per_person_limit": "2",
        "donor": str(pw.unit.pk),
        "description": "5升装",
    }
    response = staff(pw).post("/points/goods/", form)
    body = response.content.decode()
    assert response.status_code == 422
    assert FIELD_ERROR.format("所需积分应为1到100000之间的整数") in body
    assert 'name="price" type="number" min="1" required value="-1" aria-invalid="true"' in body
    for typed in ("花生油", "8", "桶", "2", "5升装"):
        assert f'value="{typed}"' in body
    assert f'<option value="{pw.unit.pk}" selected>' in body
    assert f'<option value="{pw.city.comm_a1.pk}" selected>' in body
    assert counts() == before and not Goods.objects.filter(name="花生油").exists()


def test_every_bad_field_of_a_new_item_is_named_at_once(pw: PointsWorld) -> None:
    form = {"community": str(pw.city.comm_a1.pk), "name": "", "price": "abc", "stock": "-2"}
    body = staff(pw).post("/points/goods/", form).content.decode()
    for reason in ("请填写商品名称", "所需积分应为1到100000之间的整数", "库存应为0到100000之间的整数"):
        assert FIELD_ERROR.format(reason) in body


def test_a_refused_edit_comes_back_with_what_was_typed(pw: PointsWorld) -> None:
    before = listing(pw.soap)
    data = edit_form(pw.soap, name="香皂", price="-1", description="薰衣草味", unit_label="块")
    response = staff(pw).post(f"/points/goods/{pw.soap.pk}/", data)
    body = response.content.decode()
    assert response.status_code == 422
    assert FIELD_ERROR.format("所需积分应为1到100000之间的整数") in body
    for typed in ("香皂", "-1", "薰衣草味", "块"):
        assert f'value="{typed}"' in body
    assert f'name="version" value="{before[4]}"' in body
    assert listing(pw.soap) == before and updates() == 0


def test_an_unknown_donor_is_named_not_dropped(pw: PointsWorld) -> None:
    before = listing(pw.soap)
    response = staff(pw).post(f"/points/goods/{pw.soap.pk}/", edit_form(pw.soap, donor="999999"))
    assert response.status_code == 422
    assert FIELD_ERROR.format("捐赠单位不存在或您无权查看") in response.content.decode()
    pw.soap.refresh_from_db()
    assert listing(pw.soap) == before and pw.soap.donor_id == pw.unit.pk


def test_a_refused_restock_comes_back_with_what_was_typed(pw: PointsWorld) -> None:
    before = counts()
    data = {"action": "restock", "quantity": "2.5", "note": "第二批捐赠"}
    response = staff(pw).post(f"/points/goods/{pw.soap.pk}/", data)
    body = response.content.decode()
    assert response.status_code == 422
    assert FIELD_ERROR.format("数量应为-100000到100000之间的整数") in body
    assert 'value="2.5"' in body and 'value="第二批捐赠"' in body
    assert counts() == before


def test_a_good_form_still_saves_and_redirects(pw: PointsWorld) -> None:
    client = staff(pw)
    response = client.post(
        "/points/goods/",
        {"community": pw.city.comm_a1.pk, "name": "食用油", "price": "50", "stock": "", "unit_label": ""},
    )
    goods = Goods.objects.get(name="食用油")
    assert response.status_code == 302 and (goods.stock, goods.unit_label, goods.per_person_limit) == (
        0,
        "件",
        0,
    )
    response = client.post(f"/points/goods/{goods.pk}/", edit_form(goods, price="55", is_active=""))
    goods.refresh_from_db()
    assert response.status_code == 302 and (goods.price, goods.is_active, goods.version) == (55, False, 2)
    response = client.post(
        f"/points/goods/{goods.pk}/", {"action": "restock", "quantity": "4", "note": "入库"}
    )
    goods.refresh_from_db()
    assert response.status_code == 302 and goods.stock == 4
