"""An outside tester's round on the grid worker's phone pages (gridfix): what the server
sends the phone (the service worker, the forms' declared rules) and what it refuses."""

import calendar
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.gridwork import services
from civicgrid.gridwork.models import PatrolPoint, Proposal
from civicgrid.gridwork.tests.conftest import Field, audit_count, earlier_today
from civicgrid.registry import services as registry
from civicgrid.registry.models import ResidentTag

pytestmark = pytest.mark.django_db

GRIDWORK = Path(__file__).resolve().parents[1]
SCRIPT = GRIDWORK / "static" / "gridwork" / "gridwork.js"


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- 1. pages opened online open offline --------------------------------------------------------


def test_the_service_worker_keeps_every_page_opened_online_and_never_shows_another(field: Field) -> None:
    worker = browser(field.alice).get("/gridwork/m/sw.js").content.decode()
    pages = re.search(r"var PAGES = \[(.*?)\];", worker)
    assert pages is not None and '"/gridwork/m/log/"' in pages.group(1)
    assert re.search(r"var MAX_PAGES = \d+;", worker)
    fetch = worker[worker.index('addEventListener("fetch"') :]
    # Network first for any page under the scope, kept under its own address (query included)…
    assert "PAGES.indexOf(url.pathname) >= 0" not in fetch.split(".catch")[0]
    assert "keep(key, r.clone())" in fetch and "url.pathname + url.search" in worker
    # …and offline, an unkept page says so instead of showing 今日 under its address.
    assert "caches.match(SCOPE)" not in worker and "notKept()" in fetch
    assert "当前没有网络，此页面尚未缓存" in worker


# --- 2. a visit needs one of its two fields before it is kept -------------------------------------


def test_the_visit_form_declares_that_one_of_its_subjects_is_required(field: Field) -> None:
    html = browser(field.alice).get("/gridwork/m/visit/").content.decode()
    assert 'data-gw-one-of="care_plan_id,resident_id"' in html
    assert 'data-gw-one-of-message="请选择走访对象：关爱对象或其他居民"' in html
    script = SCRIPT.read_text(encoding="utf-8")
    assert "dataset.gwOneOf" in script and "noneChosen(form)" in script


# --- 6. a visit locates itself ------------------------------------------------------------------


def test_the_visit_form_has_a_locate_button_and_locates_on_saving(field: Field) -> None:
    html = browser(field.alice).get("/gridwork/m/visit/").content.decode()
    form = html[html.index("<form") : html.index("</form>")]
    assert "gw-locate-btn" in form and "gw-locate-status" in form and "data-gw-locate-on-submit" in form
    assert 'name="lon"' in form and 'name="lat"' in form
    script = SCRIPT.read_text(encoding="utf-8")
    assert 'navigator.permissions.query({ name: "geolocation" })' in script


# --- 3. a proposal that would change nothing is refused when made ------------------------------


def test_a_proposal_that_would_change_nothing_is_refused_when_made(field: Field) -> None:
    from civicgrid.gridwork.tests.test_api import Phone

    phone = Phone(field.alice)
    before = audit_count()
    cases = [
        (
            {"kind": "add_tag", "resident_id": field.lao_zhang.pk, "tag": "party_member"},
            "tag",
            "该居民已有「党员」标签，无需变更",
        ),
        (
            {"kind": "remove_tag", "resident_id": field.lao_zhang.pk, "tag": "low_income"},
            "tag",
            "该居民没有「低保户」标签，无需变更",
        ),
        (
            {"kind": "dwelling_use", "dwelling_id": field.dwelling_1.pk, "use": "owner_occupied"},
            "dwelling",
            "该房屋使用情况已是「自住」，无需变更",
        ),
    ]
    for n, (body, where, message) in enumerate(cases):
        answer = phone.post("/proposals", {"client_key": f"noop-api-{n}", **body})
        assert answer.status_code == 422, body
        assert answer.json()["detail"] == {where: [message]}, body
    # The H5 form without JavaScript: the reason next to its field.
    page = browser(field.alice).post(
        "/gridwork/m/proposal/",
        {
            "client_key": "noop-h5-form",
            "kind": "add_tag",
            "resident_id": field.lao_zhang.pk,
            "tag": "party_member",
        },
    )
    html = page.content.decode()
    assert page.status_code == 422 and "该居民已有「党员」标签，无需变更" in html
    assert not Proposal.objects.exists() and audit_count() == before
    # A real change is still taken.
    answer = phone.post(
        "/proposals",
        {"client_key": "real-tag", "kind": "add_tag", "resident_id": field.lao_zhang.pk, "tag": "low_income"},
    )
    assert answer.status_code == 201


# --- 4. every field a refusal names has a Chinese label ------------------------------------------


def test_the_approval_refusal_names_the_tag_field_in_chinese(field: Field) -> None:
    low_income = ResidentTag.objects.get(code="low_income")
    p = services.proposal_submit(
        actor=field.alice,
        client_key="label-tag",
        data=services.ProposalIn(kind="add_tag", resident=field.lao_zhang, tag=low_income),
    ).entry
    registry.resident_update(actor=field.city.bob, resident=field.lao_zhang, tags=["low_income"])
    page = browser(field.city.bob).post(f"/gridwork/proposals/{p.pk}/approve/", {"note": ""}, follow=True)
    text = page.content.decode()
    assert "标签：该居民已有「低保户」标签，无需变更，请驳回该申请" in text and "输入：" not in text


FIELD_CODE = re.compile(
    r'field="(\w+)"|errors\["(\w+)"\]|_miss\((\w+)|field: str = "(\w+)"'
    r'|_require\(errors, [\w.]+, "(\w+)"|return "(\w+)", _\('
)


def test_every_field_a_gridwork_refusal_names_has_a_chinese_label() -> None:
    from civicgrid.gridwork.forms import FIELD_LABELS

    sources = [
        *(GRIDWORK / "services").glob("*.py"),
        GRIDWORK / "lookups.py",
        GRIDWORK / "views" / "common.py",
    ]
    found: set[str] = set()
    for source in sources:
        for groups in FIELD_CODE.findall(source.read_text(encoding="utf-8")):
            found.update(g for g in groups if g and g not in ("field", "self"))
    assert {"tag", "dwelling", "use", "points"} <= found  # the pattern found them
    assert sorted(found - set(FIELD_LABELS)) == []


# --- 5. the proposal form without JavaScript --------------------------------------------------


def test_a_new_resident_proposed_without_javascript_keeps_the_chosen_dwelling(field: Field) -> None:
    alice = browser(field.alice)
    form = {
        "client_key": "nojs-new",
        "kind": "new_resident",
        "household_id": "",
        "dwelling_id": [str(field.dwelling_2.pk), ""],  # its own 房屋, then the use's (empty)
        "name": "周晓燕",
        "residence_type": "floating",
        "resident_id": "",
        "tag": "",
        "use": "",
    }
    answer = alice.post("/gridwork/m/proposal/", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Proposal.objects.get().dwelling == field.dwelling_2
    use = {**form, "client_key": "nojs-use", "kind": "dwelling_use", "use": "rented", "name": ""}
    use["dwelling_id"] = ["", str(field.dwelling_1.pk)]
    assert alice.post("/gridwork/m/proposal/", use).status_code == 302
    assert Proposal.objects.get(kind="dwelling_use").dwelling == field.dwelling_1


def test_an_unknown_kind_is_said_on_the_kind_field(field: Field) -> None:
    from civicgrid.gridwork.tests.test_api import Phone

    page = browser(field.alice).post(
        "/gridwork/m/proposal/", {"client_key": "bad-kind", "kind": "demolished"}
    )
    html = page.content.decode()
    assert page.status_code == 422
    kind_field = html[html.index('<label for="p-kind">') - 60 : html.index('<label for="p-res">')]
    assert "has-err" in kind_field and "变更类型无效" in kind_field and "请选择变更对象" not in html
    answer = Phone(field.alice).post("/proposals", {"client_key": "bad-kind-api", "kind": "demolished"})
    assert answer.status_code == 422 and answer.json()["detail"] == {"kind": ["变更类型无效"]}


# --- 7. the diary's days, and track points of an ended patrol -------------------------------------


def test_the_diary_refuses_days_to_come_and_shows_the_year_of_another_year(field: Field) -> None:
    alice = browser(field.alice)
    today = timezone.localdate()
    future = alice.get("/gridwork/m/log/", {"day": "2099-01-01"})
    assert future.status_code == 302 and future["Location"] == "/gridwork/m/log/"
    last_year = today.replace(year=today.year - 1, day=1)
    html = alice.get("/gridwork/m/log/", {"day": last_year.isoformat()}).content.decode()
    assert f"民情日志 · {last_year.year}年{last_year.month}月1日" in html
    assert f"{last_year.year}年{last_year.month}月一览" in html
    this_year = alice.get("/gridwork/m/log/").content.decode()
    assert f"民情日志 · {today.month}月{today.day}日" in this_year and f"{today.year}年" not in this_year


def test_the_month_so_far_counts_the_days_so_far(field: Field) -> None:
    today = timezone.localdate()
    start = earlier_today(timedelta(hours=1))
    services.patrol_start(actor=field.alice, client_key="month-patrol", started_at=start)
    services.patrol_end(actor=field.alice, patrol_key="month-patrol")
    html = browser(field.alice).get("/gridwork/m/log/").content.decode()
    assert f"{today.month}月一览 · 巡查 1/{today.day} 天" in html
    earlier = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month: all its days
    days = calendar.monthrange(earlier.year, earlier.month)[1]
    html = browser(field.alice).get("/gridwork/m/log/", {"day": earlier.isoformat()}).content.decode()
    assert f"巡查 0/{days} 天" in html


def test_points_after_the_end_of_a_patrol_and_bad_accuracies_are_skipped_not_refused(field: Field) -> None:
    from civicgrid.gridwork.tests.test_api import Phone

    phone = Phone(field.alice)
    start = timezone.now() - timedelta(minutes=30)
    end = start + timedelta(minutes=20)
    services.patrol_start(actor=field.alice, client_key="ended-patrol", started_at=start)
    services.patrol_end(actor=field.alice, patrol_key="ended-patrol", ended_at=end)

    def point(minutes: int, accuracy: Any = 8, lon: float = 120.301) -> dict[str, Any]:
        return {
            "at": (start + timedelta(minutes=minutes)).isoformat(),
            "lon": lon,
            "lat": 31.571,
            "accuracy": accuracy,
        }

    answer = phone.post(
        "/patrols/ended-patrol/points",
        {
            "points": [
                point(5),
                point(6, accuracy=-5, lon=120.302),
                point(7, accuracy="很准", lon=120.303),
                point(8, accuracy=None, lon=120.3035),
                point(21, lon=120.304),  # a minute after the end
                point(25, lon=120.305),
            ]
        },
    )
    body = answer.json()
    assert answer.status_code == 200, body
    assert (body["added"], body["skipped"], body["point_count"]) == (2, 4, 2)
    assert (
        body["skipped_note"] == "4个定位点未计入轨迹：2个定位点晚于巡查结束时间；2个定位点的定位精度取值无效"
    )
    kept = sorted(PatrolPoint.objects.values_list("lon", flat=True))
    assert kept == [120.301, 120.3035]
