"""The registry's JSON writes: lengths and ranges checked in the services (a 422 naming the
field, on PostgreSQL too, where the column would refuse the row with a 500); a retried POST
of a resident or an organisation without an ID number or credit code registers it once (409
naming the registered one); the list refused (403) as the page is; a PATCH's scope before
its version; a missing household or node named in the 404."""

import json
from typing import Any

import pytest
from django.db import DataError
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.models import Organisation, Resident

pytestmark = pytest.mark.django_db
RESIDENTS = "/api/v1/registry/residents"
ORGANISATIONS = "/api/v1/registry/organisations"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [("relation_to_head", "户" * 300, "与户主关系最长20个字"), ("note", "备" * 20000, "备注最长255个字")],
)
def test_a_resident_field_beyond_its_column_is_refused(
    city: Any, client: Client, field: str, value: str, reason: str
) -> None:
    client.force_login(city.bob)
    body = {"node_id": city.grid_a1_1.pk, "name": "张三", field: value}
    response = post(client, RESIDENTS, body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {field: [reason]}
    assert not Resident.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("name", "店" * 300, "单位名称最长200个字"),
        ("address", "路" * 400, "地址最长255个字"),
        ("contact_name", "李" * 200, "联系人最长50个字"),
        ("employees", 10**12, "从业人数不能超过2147483647"),
    ],
)
def test_an_organisation_field_beyond_its_column_is_refused(
    city: Any, client: Client, field: str, value: Any, reason: str
) -> None:
    client.force_login(city.bob)
    body = {"node_id": city.grid_a1_1.pk, "name": "小店", "kind": "enterprise", field: value}
    response = post(client, ORGANISATIONS, body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == {field: [reason]}
    assert not Organisation.objects.exists()


def test_an_unchecked_data_error_is_a_422(city: Any, client: Client, monkeypatch: Any) -> None:
    def refuse(**kwargs: Any) -> Any:
        raise DataError("value too long for type character varying(20)")

    monkeypatch.setattr(services, "resident_create", refuse)
    client.force_login(city.bob)
    response = post(client, RESIDENTS, {"node_id": city.grid_a1_1.pk, "name": "张三"})
    assert response.status_code == 422
    assert response.json()["message"] == "输入的内容超出允许的长度或范围"


def test_a_retried_resident_post_registers_one(city: Any, client: Client) -> None:
    client.force_login(city.bob)
    body = {"node_id": city.grid_a1_1.pk, "name": "张三", "phone": "13800138000"}
    first = post(client, RESIDENTS, body)
    assert first.status_code == 201, first.content
    again = post(client, RESIDENTS, body | {"name": " 张三 ", "node_id": city.grid_a1_2.pk})
    assert again.status_code == 409, again.content
    assert again.json()["detail"]["existing"]["id"] == first.json()["id"]
    assert "与已登记的居民重复（姓名和联系电话相同）" in again.json()["message"]
    assert Resident.objects.count() == 1
    # Another name, or an ID number, is another person.
    assert post(client, RESIDENTS, body | {"name": "张四"}).status_code == 201


def test_a_retried_organisation_post_registers_one(city: Any, client: Client) -> None:
    client.force_login(city.bob)
    body = {"node_id": city.grid_a1_1.pk, "name": "好邻居超市", "kind": "enterprise", "address": "中山路1号"}
    first = post(client, ORGANISATIONS, body)
    assert first.status_code == 201, first.content
    again = post(client, ORGANISATIONS, body | {"name": "好邻居 超市"})
    assert again.status_code == 409, again.content
    assert again.json()["detail"]["existing"]["id"] == first.json()["id"]
    assert Organisation.objects.count() == 1
    assert post(client, ORGANISATIONS, body | {"address": "中山路2号"}).status_code == 201


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditor"])
def test_the_lists_are_refused_to_who_may_not_see_the_registry(city: Any, client: Client, who: str) -> None:
    client.force_login(getattr(city, who))
    assert client.get("/registry/residents/").status_code == 403
    assert client.get(RESIDENTS).status_code == 403
    assert client.get(ORGANISATIONS).status_code == 403
    assert not AuditLog.objects.filter(verb="registry.resident_pii_searched").exists()


def test_a_patch_out_of_scope_is_a_404_before_its_version(city: Any, client: Client) -> None:
    resident = services.resident_create(actor=city.carol, node=city.grid_b1_1, name="王五")
    client.force_login(city.bob)
    url = f"{RESIDENTS}/{resident.pk}"
    response = client.patch(url, data=json.dumps({"note": "x"}), content_type="application/json")
    assert response.status_code == 404
    client.force_login(city.carol)
    response = client.patch(url, data=json.dumps({"note": "x"}), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["message"] == "版本：必填" and "version" in response.json()["detail"]


def test_a_missing_household_or_node_is_named(city: Any, client: Client) -> None:
    client.force_login(city.bob)
    response = post(client, RESIDENTS, {"node_id": city.grid_a1_1.pk, "name": "张三", "household_id": 99999})
    assert response.status_code == 404
    assert list(response.json()["detail"]) == ["household_id"]
    response = post(client, RESIDENTS, {"node_id": city.grid_b1_1.pk, "name": "张三"})
    assert response.status_code == 404
    assert list(response.json()["detail"]) == ["node_id"]
    assert not Resident.objects.exists()


def test_an_unchecked_data_error_on_a_page_is_a_422(city: Any, client: Client, monkeypatch: Any) -> None:
    from civicgrid.registry import selectors

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise DataError("integer out of range")

    monkeypatch.setattr(selectors, "resident_search", refuse)
    client.force_login(city.bob)
    response = client.get("/registry/residents/")
    assert response.status_code == 422
    assert "输入的内容超出允许的长度或范围" in response.content.decode()
