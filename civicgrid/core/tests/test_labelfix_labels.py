"""Every form field on the pages of party, property, points, registry, workcal and exchange has a
name a screen reader can announce: a <label> around it, a <label for=> pointing at its id, or an
aria-label. Before, about 120 fields sat next to a <label> that was tied to nothing
(``<p><label>数据类型</label><select name="kind">``), so they were announced without a name."""

from collections.abc import Iterable
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civicgrid.conftest import City
from civicgrid.exchange.models import ImportJob
from civicgrid.party import services as party_services
from civicgrid.party.constants import NeedCategory, NeedSource
from civicgrid.party.models import Agreement, AllianceMember, Need, PartyMember
from civicgrid.party.tests.conftest import PartyWorld, pw  # noqa: F401 - fixtures of the party pages
from civicgrid.party.tests.test_pages import filled  # noqa: F401
from civicgrid.points import services as points_services
from civicgrid.points.tests.conftest import build_points_world, earn
from civicgrid.property import services as property_services
from civicgrid.property.constants import CommitteePost
from civicgrid.property.tests.conftest import (
    World,
    world,  # noqa: F401
)
from civicgrid.registry.tests.factories import build_world

pytestmark = pytest.mark.django_db

CONTROLS = {"input", "select", "textarea"}
NOT_FIELDS = {"hidden", "submit", "button", "reset", "image"}


class Fields(HTMLParser):
    """The labels and form controls of a page, and which control each label holds."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: list[dict[str, Any]] = []  # {"for": str|None, "controls": int, "line": int}
        self.controls: list[dict[str, Any]] = []  # attrs plus "_tag", "_in_label", "_line"
        self.open_labels: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a: dict[str, Any] = {k: (v or "") for k, v in attrs}
        line = self.getpos()[0]
        if tag == "label":
            label: dict[str, Any] = {"for": a.get("for"), "controls": 0, "line": line}
            self.labels.append(label)
            self.open_labels.append(label)
        elif tag in CONTROLS:
            a.update(_tag=tag, _in_label=bool(self.open_labels), _line=line)
            self.controls.append(a)
            for label in self.open_labels:
                label["controls"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels.pop()


def problems(html: str) -> list[str]:
    """What is wrong with the page's labels, one line each (empty when every field has a name)."""
    page = Fields()
    page.feed(html)
    lines = html.splitlines()

    def at(line: int) -> str:
        return lines[line - 1].strip()[:160]

    found: list[str] = []
    ids = [c["id"] for c in page.controls if c.get("id")]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        found.append(f"id {dup!r} used by {ids.count(dup)} fields")
    targets = set(ids)
    for label in page.labels:
        if label["controls"]:
            continue
        if not label["for"] or label["for"] not in targets:
            found.append(f"label tied to no field (for={label['for']!r}): {at(label['line'])}")
    named = {label["for"] for label in page.labels if label["for"]}
    for c in page.controls:
        if c["_tag"] == "input" and c.get("type", "text").lower() in NOT_FIELDS:
            continue
        if c["_in_label"] or c.get("id") in named or c.get("aria-label") or c.get("aria-labelledby"):
            continue
        found.append(f"<{c['_tag']} name={c.get('name')!r}> has no label: {at(c['_line'])}")
    return found


def check(client: Client, urls: Iterable[str]) -> None:
    wrong: list[str] = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        wrong += [f"{url}: {p}" for p in problems(html)]
    assert wrong == [], "\n".join(wrong)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_checker_finds_the_old_unlabelled_fields() -> None:
    old = '<p><label>数据类型</label><select name="kind"><option>x</option></select></p>'
    assert len(problems(old)) == 2
    fixed = '<p><label for="id_kind">数据类型</label><select id="id_kind" name="kind"></select></p>'
    assert problems(fixed) == []
    assert problems('<label>经度 <input name="lon"></label><input name="lat" aria-label="纬度">') == []
    assert len(problems('<input id="a" aria-label="x"><input id="a" aria-label="y">')) == 1


def test_the_party_pages_name_every_field(filled: PartyWorld) -> None:  # noqa: F811
    c = filled.city
    PartyMember.objects.filter(pk=filled.li.pk).update(is_needy=True)
    need = Need.objects.get()
    ordered = party_services.need_create(
        actor=c.bob,
        node=c.grid_a1_1,
        data=party_services.NeedIn(
            title="独居老人每周代购", category=NeedCategory.ELDERLY, source=NeedSource.GRID
        ),
    )
    party_services.need_order(actor=c.bob, need=ordered, publish=True)
    party_services.need_order(actor=c.bob, need=ordered, unit=filled.tax)
    pages = [
        reverse(name)
        for name in (
            "party:overview",
            "party:organisations",
            "party:members",
            "party:member_new",
            "party:reporting",
            "party:reports",
            "party:agreements",
            "party:agreement_new",
            "party:committees",
            "party:alliances",
            "party:needs",
            "party:resources",
            "party:projects",
            "party:data",
        )
    ]
    pages += [
        reverse("party:organisation", args=[filled.committee.pk]),
        reverse("party:organisation", args=[filled.tax_org.pk]),
        reverse("party:member", args=[filled.zhang.pk]),
        reverse("party:member", args=[filled.li.pk]),
        reverse("party:member", args=[filled.rider.pk]),
        reverse("party:committee", args=[filled.committee.pk]),
        reverse("party:meeting_new", args=[filled.committee.pk]),
        reverse("party:meeting", args=[filled.committee.meetings.get().pk]),
        reverse("party:agreement", args=[Agreement.objects.get().pk]),
        reverse("party:need", args=[need.pk]),
        reverse("party:need", args=[ordered.pk]),
        reverse("party:project", args=[need.projects.get().pk]),
        reverse("party:alliance", args=[AllianceMember.objects.get(unit=filled.tax).alliance_id]),
    ]
    check(client_for(c.bob), pages)
    check(client_for(filled.zhang_user), [reverse("party:h5_home")])


def test_the_property_pages_name_every_field(world: World) -> None:  # noqa: F811
    c = world.city
    world.start()
    today = timezone.localdate()
    found = property_services.committee_create(
        actor=c.bob, compound=world.shengli, term_starts_on=today, term_ends_on=today + timedelta(days=1400)
    )
    property_services.committee_member_add(
        actor=c.bob, committee=found, name="吴二", post=CommitteePost.MEMBER, negative_items=[]
    )
    property_services.committee_member_add(
        actor=c.bob, committee=found, name="吴三", post=CommitteePost.MEMBER, negative_items=[]
    )
    pages = [
        reverse("property:board"),
        reverse("property:compounds"),
        reverse("property:compound", args=[world.shengli.pk]),
        reverse("property:company", args=[world.lvcheng.pk]),
    ]
    check(client_for(c.bob), pages)
    check(client_for(c.dave), [*pages, reverse("property:compound", args=[world.wuai.pk])])
    check(client_for(world.hank), [reverse("property:company", args=[world.lvcheng.pk])])


def test_the_points_pages_name_every_field(city: City) -> None:
    p = build_points_world(city)
    earn(p, p.erin, 50, "labelfix")
    points_services.points_adjust(actor=city.bob, holder=p.erin, amount=20, reason="签到漏记，补记")
    staff = [
        reverse(name)
        for name in (
            "points:index",
            "points:goods",
            "points:redemptions",
            "points:hand_over",
            "points:accounts",
            "points:adjustments",
            "points:leaderboard",
            "points:rules",
        )
    ]
    staff += [reverse("points:goods_detail", args=[p.soap.pk])]
    staff += [reverse("points:account", args=[p.erin.points_account.pk])]
    check(client_for(city.bob), staff)
    check(client_for(city.dave), [reverse("points:adjustments")])
    resident = [
        reverse(name)
        for name in ("points:h5_my", "points:h5_shop", "points:h5_redemptions", "points:h5_board")
    ]
    check(client_for(p.erin_user), resident)


def test_the_registry_and_exchange_pages_name_every_field(city: City) -> None:
    w = build_world(city)
    bob = client_for(city.bob)
    pages = [
        reverse("registry:residents"),
        reverse("registry:resident_new"),
        reverse("registry:dwellings"),
        reverse("registry:organisations"),
        reverse("exchange:imports"),
    ]
    pages.append(reverse("registry:resident", args=[w.resident_a.pk]))
    pages.append(reverse("registry:resident_edit", args=[w.resident_a.pk]))
    check(bob, pages)
    assert ImportJob.objects.count() == 0


def test_the_working_calendar_pages_name_every_field(city: City) -> None:
    sysadmin = client_for(city.sysadmin)
    year = date.today().year + 1
    check(
        sysadmin,
        [
            reverse("workcal:index"),
            reverse("workcal:year", args=[year]),
            reverse("workcal:day_form", args=[year]) + f"?date={year}-01-01",
        ],
    )
