"""A page shows no link its user may not follow: every link of the page opens (no 403, 404
or 500) for the user who was shown it. Pages checked here are those where a role met a
refusal behind a tab or a button (found by signing in to the demo as each role and
following every link): the volunteers' and the points shop's tabs for a leader or an
administrator, and a territory node's buttons for the administrators.
"""

import re
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from civicgrid.conftest import City

pytestmark = pytest.mark.django_db

# Links followed: this site's pages; not signing out, static files or the admin.
SKIP = ("/logout/", "/static/", "/admin/", "/api/")


def links_on(html: str, base: str) -> set[str]:
    found = set()
    for href in re.findall(r'(?:href|hx-get)="([^"]*)"', html):
        url = urljoin(base, unescape(href).split("#")[0])
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or parts.path.startswith(SKIP) or not parts.path:
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def refused_links(client: Client, path: str) -> dict[str, int]:
    """{link: status} of each link on the page that does not open for the signed-in user."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    statuses = {url: client.get(url).status_code for url in links_on(page.content.decode(), path)}
    return {url: status for url, status in statuses.items() if status in (403, 404) or status >= 500}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_leaders_points_and_volunteer_tabs_open(city: City) -> None:
    leader = signed_in(city.dave)
    assert refused_links(leader, "/points/") == {}
    assert refused_links(leader, "/points/leaderboard/") == {}
    assert refused_links(leader, "/volunteers/report/") == {}
    page = leader.get("/points/").content.decode()
    assert "/points/adjustments/" in page and "/points/goods/" not in page  # still the tabs he may open


def test_the_community_worker_keeps_every_tab(city: City) -> None:
    community = signed_in(city.bob)
    for path in ("/points/", "/volunteers/"):
        assert refused_links(community, path) == {}
    tabs = community.get("/volunteers/").content.decode() + community.get("/points/").content.decode()
    for tab in ("/volunteers/people/", "/volunteers/orders/", "/points/goods/", "/points/rules/"):
        assert tab in tabs


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditor"])
def test_administrators_see_only_the_node_buttons_they_may_use(city: City, admin: str) -> None:
    client = signed_in(getattr(city, admin))
    assert refused_links(client, f"/territory/{city.comm_a1.pk}/") == {}
    assert refused_links(client, "/volunteers/report/") == {}


def test_a_community_worker_keeps_the_node_buttons(city: City) -> None:
    page = signed_in(city.bob).get(f"/territory/{city.comm_a1.pk}/").content.decode()
    assert f"/registry/residents/?under={city.comm_a1.pk}" in page
    assert f"/exchange/exports/nodes/{city.comm_a1.pk}/" in page
