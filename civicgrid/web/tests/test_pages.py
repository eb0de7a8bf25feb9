"""The HTML pages: Chinese throughout, each role's home, who may open which page."""

import re
from typing import Any

import pytest
from django.test import Client

from civicgrid.conftest import City, make_user
from civicgrid.core.models import AuditLog
from civicgrid.registry.tests.factories import World

PEOPLE = ["alice", "bob", "carol", "dave", "olivia", "sysadmin", "secadmin", "auditor"]


def test_the_sign_in_page_is_chinese(db: Any, client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    for text in ("登录", "用户名", "密码"):
        assert text in html
    bad = client.post("/login/", {"username": "nobody", "password": "wrong-password"})
    assert "用户名或密码不正确" in bad.content.decode()


def test_signing_in_leads_home(city: City, client: Client) -> None:
    response = client.post("/login/", {"username": "bob", "password": "civicgrid-test-pw"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "您好，李明" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("person", "role_label", "scope_name"),
    [
        ("alice", "网格员", "胜利门一网格"),
        ("bob", "社区工作者", "胜利门社区"),
        ("carol", "社区工作者", "通江社区"),
        ("dave", "领导", "梁溪区"),
        ("olivia", "话务员", "梁溪区"),
        ("sysadmin", "系统管理员", None),
        ("secadmin", "安全管理员", None),
        ("auditor", "审计管理员", None),
    ],
)
def test_each_role_home_shows_the_role(
    world: World, client: Client, person: str, role_label: str, scope_name: str | None
) -> None:
    client.force_login(getattr(world.city, person))
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h2>{role_label}" in html
    if scope_name:
        assert f">{scope_name}</a>" in html
    others = {"网格员", "社区工作者", "领导", "话务员", "系统管理员", "安全管理员", "审计管理员"} - {
        role_label
    }
    assert not any(f"<h2>{other}" in html for other in others)


def test_role_homes_show_their_own_scope_only(world: World, client: Client) -> None:
    client.force_login(world.city.alice)
    html = client.get("/").content.decode()
    assert "周胜网" in html and "独居老人" in html  # her grid's team and care groups
    client.force_login(world.city.carol)
    html = client.get("/").content.decode()
    assert "周胜网" not in html and "胜利门" not in html


def test_an_account_without_role_is_told_so(city: City, client: Client) -> None:
    client.force_login(make_user("newcomer", "新人"))
    assert "尚未分配角色" in client.get("/").content.decode()


def test_the_menu_follows_capabilities(city: City, client: Client) -> None:
    client.force_login(city.dave)
    html = client.get("/").content.decode()
    assert "实有人口" in html and "审计日志" not in html and "系统管理" not in html
    client.force_login(city.auditor)
    html = client.get("/").content.decode()
    assert "审计日志" in html and "实有人口" not in html


# page: the people who may open it (everybody else gets 403 or 404)
PAGES: dict[str, tuple[str, set[str]]] = {
    "territory_tree": ("/territory/", set(PEOPLE)),
    "node_a1": ("/territory/{comm_a1}/", {"bob", "dave", "olivia", "sysadmin", "secadmin", "auditor"}),
    "node_children_a1": (
        "/territory/{comm_a1}/children/",
        {"bob", "dave", "olivia", "sysadmin", "secadmin", "auditor"},
    ),
    "node_geojson_a1": (
        "/territory/{comm_a1}/geojson/",
        {"bob", "dave", "olivia", "sysadmin", "secadmin", "auditor"},
    ),
    "node_grid_a1_1": (
        "/territory/{grid_a1_1}/",
        {"alice", "bob", "dave", "olivia", "sysadmin", "secadmin", "auditor"},
    ),
    "grid_matters": ("/territory/matters/", set(PEOPLE)),
    "residents": ("/registry/residents/", {"alice", "bob", "carol", "dave", "olivia"}),
    "residents_under_a1": ("/registry/residents/?under={comm_a1}", {"bob", "dave", "olivia"}),
    "resident_a": ("/registry/residents/{resident_a}/", {"alice", "bob", "dave", "olivia"}),
    "dwellings": ("/registry/dwellings/", {"alice", "bob", "carol", "dave", "olivia"}),
    "organisations": ("/registry/organisations/", {"alice", "bob", "carol", "dave", "olivia"}),
    "audit": ("/audit/", {"auditor", "secadmin"}),  # secadmin: the auditors' rows only
}


def url_of(world: World, page: str) -> str:
    c = world.city
    return PAGES[page][0].format(
        comm_a1=c.comm_a1.pk, grid_a1_1=c.grid_a1_1.pk, resident_a=world.resident_a.pk
    )


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(world: World, client: Client, page: str) -> None:
    url, allowed = PAGES[page]
    url = url_of(world, page)
    for person in PEOPLE:
        client.force_login(getattr(world.city, person))
        response = client.get(url)
        if person in allowed:
            assert response.status_code == 200, (person, response.status_code)
        else:
            assert response.status_code in (403, 404), (person, response.status_code)
            html = response.content.decode()
            assert "无法完成操作" in html and "无权" in html, person


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(world: World, client: Client, page: str) -> None:
    response = client.get(url_of(world, page))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_refusal_page_is_a_403_in_chinese(world: World, client: Client) -> None:
    client.force_login(world.city.secadmin)  # the security administrator sees no registry
    response = client.get("/registry/residents/")
    assert response.status_code == 403
    assert response.content.decode().count("您无权执行此操作") == 1
    api = client.get("/api/v1/registry/residents")
    assert api.status_code == 403 and api.json()["code"] == "forbidden"  # as the page


def test_pages_show_nothing_of_another_community(world: World, client: Client) -> None:
    client.force_login(world.city.carol)
    everything = "".join(
        client.get(url).content.decode()
        for url in (
            "/",
            "/territory/",
            f"/territory/{world.city.comm_b1.pk}/",
            "/territory/matters/",
            "/registry/residents/",
            "/registry/dwellings/",
            "/registry/organisations/",
        )
    )
    assert "孙通江" in everything and "通江五金店" in everything and "通江河道巡查" in everything
    for of_a1 in (
        "刘胜利",
        "钱五爱",
        "胜利101",
        "胜利门便民超市",
        "周胜网",
        "胜利门独居老人探访",
        "胜利门一网格",
    ):
        assert of_a1 not in everything, of_a1


def test_the_node_page_counts_and_lists_what_lies_under(world: World, client: Client) -> None:
    client.force_login(world.city.bob)
    html = client.get(f"/territory/{world.city.grid_a1_1.pk}/").content.decode()
    assert "胜利门1号楼" in html and "周胜网" in html and "胜利门独居老人探访" in html
    geo = client.get(f"/territory/{world.city.comm_a1.pk}/geojson/").json()
    assert {f["properties"]["name"] for f in geo["features"]} == {"胜利门一网格", "胜利门二网格"}
    assert [b["name"] for b in geo["buildings"]] == ["胜利门1号楼"]


def test_the_audit_page_lists_and_filters(world: World, client: Client) -> None:
    client.force_login(world.city.auditor)
    html = client.get("/audit/", {"verb": "registry.resident_created"}).content.decode()
    assert "registry.resident_created" in html and "刘胜利" in html
    assert f"共 {AuditLog.objects.filter(verb='registry.resident_created').count()} 条" in html
    html = client.get("/audit/", {"actor": "carol"}).content.decode()
    assert "孙通江" in html and "刘胜利" not in html


def test_healthz_answers_json(db: Any, client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == "ok"


def test_openapi_lists_the_paths_and_the_docs_render(city: City, client: Client) -> None:
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/territory/locate",
        "/api/v1/territory/nodes",
        "/api/v1/territory/nodes/{node_id}",
        "/api/v1/territory/nodes/{node_id}/move",
        "/api/v1/territory/nodes/{node_id}/team",
        "/api/v1/registry/residents",
        "/api/v1/registry/residents/{resident_id}/reveal",
        "/api/v1/registry/organisations",
    ):
        assert path in paths, path
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert b"openapi.json" in docs.content
    # Swagger UI is served by the product itself: nothing from a CDN (closed networks).
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    assert all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_the_favicon_is_our_own_and_every_page_names_it(city: City, client: Client) -> None:
    """/favicon.ico was a 404 (a console error on every page); now our icon, from the static files."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/civicgrid/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon.getvalue()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/static/civicgrid/favicon.ico"' in client.get("/login/").content.decode()
    client.force_login(city.bob)
    assert '<link rel="icon" href="/static/civicgrid/favicon.ico"' in client.get("/").content.decode()
