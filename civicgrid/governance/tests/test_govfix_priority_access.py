"""GET /api/v1/governance/priority needs governance.view, like the page and /hot-issues."""

import pytest
from django.test import Client

from civicgrid.conftest import City

pytestmark = pytest.mark.django_db
API = "/api/v1/governance"


def test_priority_refuses_users_without_governance_view(city: City) -> None:
    for user in (city.alice, city.secadmin, city.auditor):  # grid worker, 安全管理员, 审计管理员
        web = Client()
        web.force_login(user)
        assert web.get(f"{API}/hot-issues").status_code == 403, user
        assert web.get(f"{API}/priority").status_code == 403, user  # was 200 []
        assert web.get("/governance/priority/").status_code == 403, user
    leader = Client()
    leader.force_login(city.dave)
    rows = leader.get(f"{API}/priority")
    assert rows.status_code == 200 and {r["name"] for r in rows.json()} == {"崇安寺街道", "通江街道"}
