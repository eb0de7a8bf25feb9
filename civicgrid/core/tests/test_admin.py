"""The Django admin goes through the services and leaves audit rows; lanes stay apart."""

import json
from typing import Any

import pytest

from civicgrid.conftest import square
from civicgrid.core.admin_audit import record_fingerprint
from civicgrid.core.models import AuditLog
from civicgrid.territory.models import Node


@pytest.mark.django_db
def test_system_admin_creates_a_grid_through_the_service(client: Any, city: Any) -> None:
    client.force_login(city.sysadmin)
    response = client.post(
        "/admin/territory/node/add/",
        {
            "kind": "grid",
            "code": "",
            "name": "胜利门三网格",
            "parent": city.comm_a1.pk,
            "grid_type": "comprehensive",
            "geometry": "null",
            "lon": "",
            "lat": "",
            "address": "",
            "responsible_unit": "",
            "sort_order": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grid = Node.objects.get(name="胜利门三网格")
    assert grid.path == f"{city.comm_a1.path}{grid.pk}/"
    assert grid.code == f"{city.comm_a1.code}W003"
    assert AuditLog.objects.filter(
        verb="territory.node_created", target_id=str(grid.pk), actor=city.sysadmin
    ).exists()


@pytest.mark.django_db
def test_admin_refuses_a_grid_under_a_district_and_creates_nothing(client: Any, city: Any) -> None:
    client.force_login(city.sysadmin)
    before = (Node.objects.count(), AuditLog.objects.count())
    response = client.post(
        "/admin/territory/node/add/",
        {
            "kind": "grid",
            "code": "",
            "name": "错误网格",
            "parent": city.district.pk,
            "grid_type": "comprehensive",
            "geometry": "null",
            "sort_order": "0",
        },
    )
    assert response.status_code == 422
    assert "网格的上级只能是" in response.content.decode()
    assert (Node.objects.count(), AuditLog.objects.count()) == before


@pytest.mark.django_db
def test_admin_moves_a_node_with_its_subtree(client: Any, city: Any) -> None:
    client.force_login(city.sysadmin)
    grid = city.grid_a1_1
    response = client.post(
        f"/admin/territory/node/{grid.pk}/change/",
        {
            "code": grid.code,
            "name": grid.name,
            "parent": city.comm_a2.pk,
            "grid_type": "comprehensive",
            "geometry": json.dumps(square(120.30, 31.57, 120.31, 31.58)),
            "lon": "",
            "lat": "",
            "address": "",
            "responsible_unit": "",
            "sort_order": "0",
            "edit_fingerprint": record_fingerprint(Node.objects.get(pk=grid.pk)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    city.building_a1.refresh_from_db()
    assert city.building_a1.path.startswith(city.comm_a2.path)
    assert AuditLog.objects.filter(verb="territory.node_moved", target_id=str(grid.pk)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["auditor", "bob", "dave"])
def test_only_system_and_security_admins_enter_the_admin(client: Any, city: Any, who: str) -> None:
    client.force_login(getattr(city, who))
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_security_admin_sees_accounts_not_territory(client: Any, city: Any) -> None:
    client.force_login(city.secadmin)
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/territory/node/").status_code == 403


@pytest.mark.django_db
def test_admin_refuses_business_role_for_an_administrator(client: Any, city: Any) -> None:
    client.force_login(city.secadmin)
    user = city.auditor
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "full_name": user.full_name,
            "title": "",
            "admin_role": "audit",
            "is_active": "on",
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
            "role_assignments-0-role": "leader",
            "role_assignments-0-node": city.district.code,
            "role_assignments-0-user": user.pk,
            "edit_fingerprint": record_fingerprint(type(user).objects.get(pk=user.pk)),
        },
    )
    assert response.status_code == 200
    assert "三员分立" in response.content.decode()
    assert not user.role_assignments.exists()


@pytest.mark.django_db
def test_a_grid_outside_its_community_is_a_form_error_in_the_admin(client: Any, city: Any) -> None:
    from civicgrid.territory.models import Node

    Node.objects.filter(pk=city.comm_a1.pk).update(geometry=square(120.30, 31.57, 120.32, 31.58))
    client.force_login(city.sysadmin)
    before = Node.objects.count()
    response = client.post(
        "/admin/territory/node/add/",
        {
            "kind": "grid",
            "code": "",
            "name": "远处网格",
            "parent": city.comm_a1.pk,
            "grid_type": "comprehensive",
            "geometry": json.dumps(square(120.50, 31.70, 120.51, 31.71)),
            "sort_order": "0",
        },
    )
    assert response.status_code == 422  # the form again, with the reason
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    assert Node.objects.count() == before


def _shown_fingerprint(page: str) -> str:
    import re

    found = re.search(r'name="edit_fingerprint" value="([0-9a-f]+)"', page)
    assert found, "the change form carries the record's fingerprint"
    return found.group(1)


@pytest.mark.django_db
def test_a_change_form_opened_before_someone_elses_save_is_refused(client: Any, city: Any) -> None:
    """Two tabs on one grid: the second save used to put back the fields the first had changed."""
    client.force_login(city.sysadmin)
    grid = city.grid_a1_1
    url = f"/admin/territory/node/{grid.pk}/change/"
    shown_to_b = _shown_fingerprint(client.get(url).content.decode())
    form = {
        "code": grid.code,
        "name": grid.name,
        "parent": grid.parent_id,
        "grid_type": grid.grid_type,
        "geometry": json.dumps(grid.geometry),
        "lon": "",
        "lat": "",
        "address": "",
        "responsible_unit": "",
        "sort_order": "0",
    }
    saved_by_a = client.post(
        url,
        {
            **form,
            "address": "胜利门社区服务站",
            "edit_fingerprint": _shown_fingerprint(client.get(url).content.decode()),
        },
    )
    assert saved_by_a.status_code == 302
    audit_rows = AuditLog.objects.count()
    refused = client.post(url, {**form, "sort_order": "-5", "edit_fingerprint": shown_to_b})
    assert refused.status_code == 422
    assert "已被他人修改" in refused.content.decode()
    grid.refresh_from_db()
    assert (grid.address, grid.sort_order) == ("胜利门社区服务站", 0)
    assert AuditLog.objects.count() == audit_rows
    # Opened again, the form carries the new state and saves.
    again = client.post(
        url,
        {
            **form,
            "address": grid.address,
            "sort_order": "-5",
            "edit_fingerprint": _shown_fingerprint(client.get(url).content.decode()),
        },
    )
    assert again.status_code == 302
    grid.refresh_from_db()
    assert (grid.address, grid.sort_order) == ("胜利门社区服务站", -5)
