"""Opening the hot-issue page (or the API's GET) changes nothing: a crawler, a prefetch or a
refresh with new dates in the query string neither stores a run nor writes an audit row.
Saving a run is an explicit POST (计算并保存, with the CSRF token), which stores and audits."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.accounts.services import api_token_create
from civicgrid.core.models import AuditLog
from civicgrid.governance import views
from civicgrid.governance.models import HotIssue, HotIssueMember, HotIssueRun
from civicgrid.governance.tests.test_pages import lifts  # noqa: F401 - the fixture
from civicgrid.requests.rates.figures import Period, parse_month
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def rows() -> tuple[int, int, int, int]:
    return (
        HotIssueRun.objects.count(),
        HotIssue.objects.count(),
        HotIssueMember.objects.count(),
        AuditLog.objects.count(),
    )


def signed_in(user: Any, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_get_with_new_dates_stores_nothing(hotline: Hotline, lifts: str) -> None:  # noqa: F811
    city = hotline.city
    dave = signed_in(city.dave)
    before = rows()
    period = Period.month(parse_month(lifts))
    for params in (
        {"node": str(city.district.pk), "month": lifts},
        {"node": str(city.district.pk), "start": str(period.start), "end": str(period.end)},
        {"node": str(city.comm_a1.pk), "month": lifts},
        {},  # the current month of his own area
    ):
        page = dave.get("/governance/", params)
        assert page.status_code == 200
    assert (
        "电梯" in dave.get("/governance/", {"node": str(city.district.pk), "month": lifts}).content.decode()
    )
    assert rows() == before
    api = Client()
    _, token = api_token_create(actor=None, system=True, user=city.dave, name="测试")
    before = rows()
    answer = api.get(
        "/api/v1/governance/hot-issues",
        {"node": str(city.district.pk), "month": lifts},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200 and answer.json()["stored"] is False
    assert [i["count"] for i in answer.json()["issues"]] == [5, 3]
    assert rows() == before


def test_saving_a_run_is_a_post_with_the_csrf_token(hotline: Hotline, lifts: str) -> None:  # noqa: F811
    city = hotline.city
    dave = signed_in(city.dave, csrf=True)
    page = dave.get("/governance/", {"node": str(city.district.pk), "month": lifts})
    html = page.content.decode()
    assert 'method="post" action="/governance/hot/recompute/"' in html and "csrfmiddlewaretoken" in html
    period = Period.month(parse_month(lifts))
    form = {"node": str(city.district.pk), "start": str(period.start), "end": str(period.end)}
    before = rows()
    assert dave.post("/governance/hot/recompute/", form).status_code == 403  # no token: refused
    assert rows() == before
    assert dave.get("/governance/hot/recompute/", form).status_code == 405  # a GET never computes
    token = page.context["csrf_token"]
    saved = dave.post("/governance/hot/recompute/", {**form, "csrfmiddlewaretoken": token})
    assert saved.status_code == 302
    run = HotIssueRun.objects.get()
    assert (run.period_start, run.period_end, run.created_by) == (period.start, period.end, city.dave)
    assert AuditLog.objects.filter(verb="governance.hot_computed", actor=city.dave).count() == 1
    # The stored run is what the page shows from now on, with links to each issue.
    html = dave.get(saved["Location"]).content.decode()
    assert f"/governance/hot/{HotIssue.objects.get(rank=1).pk}/" in html


def test_an_outsider_can_neither_preview_nor_save_elsewhere(hotline: Hotline, lifts: str) -> None:  # noqa: F811
    city = hotline.city
    carol = signed_in(city.carol)
    period = Period.month(parse_month(lifts))
    before = rows()
    assert carol.get("/governance/", {"node": str(city.comm_a1.pk), "month": lifts}).status_code == 404
    refused = carol.post(
        "/governance/hot/recompute/", {"node": city.comm_a1.pk, "start": period.start, "end": period.end}
    )
    assert refused.status_code == 404
    assert rows() == before


def test_a_large_area_is_neither_computed_nor_enqueued_on_get(
    hotline: Hotline,
    lifts: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above the live limit the GET says so and offers the button; the POST hands the run to
    the ``hot_issues`` task (run at once by the tests' immediate backend)."""
    monkeypatch.setattr(views, "LIVE_LIMIT", 1)
    city = hotline.city
    dave = signed_in(city.dave)
    before = rows()
    page = dave.get("/governance/", {"node": str(city.district.pk), "month": lifts})
    assert page.status_code == 200 and page.context["too_large"] and page.context["issues"] == []
    assert "计算并保存" in page.content.decode()
    assert rows() == before
    period = Period.month(parse_month(lifts))
    form = {"node": str(city.district.pk), "start": str(period.start), "end": str(period.end)}
    assert dave.post("/governance/hot/recompute/", form).status_code == 302
    run = HotIssueRun.objects.get()
    assert run.created_by is None and run.issues.count() == 2  # the task's run, not the user's
