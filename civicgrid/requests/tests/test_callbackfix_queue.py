"""The callback queue holds only requests someone can call: one left anonymous or with no
phone (a grid worker's report) goes to the list closed apart and closes without a note; the
queue's API refuses those the page refuses; a bad rating value is named as such; the rating
comment has one limit everywhere."""

from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import ValidationError
from civicgrid.requests import selectors, services
from civicgrid.requests.constants import RATING_COMMENT_MAX, Action, Status
from civicgrid.requests.models import Rating, RequestEvent
from civicgrid.requests.tests.test_api import BASE, Caller
from civicgrid.requests.tests.test_privacyfix_anonymous import _replied
from civicgrid.requests.views.resident import RateForm

pytestmark = pytest.mark.django_db


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- 1. nobody to call ------------------------------------------------------------------------


def test_a_request_without_a_phone_leaves_the_queue_and_closes_without_a_note(hotline: Any) -> None:
    olivia = hotline.city.olivia
    nobody = _replied(hotline, channel="grid_worker", requester_name="", requester_phone="")
    named = _replied(hotline)
    assert nobody.requester_phone_hash == "" and not nobody.anonymous
    assert selectors.nobody_to_call(nobody) and not selectors.nobody_to_call(named)
    assert list(selectors.callback_queue(olivia)) == [named]
    assert list(selectors.anonymous_to_close(olivia)) == [nobody]

    html = logged_in(olivia).get("/requests/callbacks/").content.decode()
    queue, heading, apart = html.partition("匿名或未留电话的诉求待办结")
    assert heading and nobody.number not in queue and named.number in queue
    assert nobody.number in apart and f"/requests/{nobody.pk}/act/callback/" not in html
    assert f"/requests/{nobody.pk}/act/close/" in apart

    services.request_close(actor=olivia, request=nobody)  # no note needed: nobody to call
    nobody.refresh_from_db()
    assert nobody.status == Status.CLOSED
    event = RequestEvent.objects.get(request=nobody, action=Action.CLOSE)
    assert event.note == "未留联系电话，不回访"
    assert not Rating.objects.filter(request=nobody).exists()  # no rating: not in N

    with pytest.raises(ValidationError) as refused:  # one with a phone still needs a reason
        services.request_close(actor=olivia, request=named)
    assert "note" in refused.value.errors
    named.refresh_from_db()
    assert named.status == Status.REPLIED


def test_the_close_form_on_the_callbacks_page_needs_no_reason_for_nobody_to_call(hotline: Any) -> None:
    olivia = hotline.city.olivia
    nobody = _replied(hotline, channel="grid_worker", requester_name="", requester_phone="")
    posted = logged_in(olivia).post(
        f"/requests/{nobody.pk}/act/close/", {"version": nobody.version, "note": ""}
    )
    assert posted.status_code == 302, posted.content.decode()[:500]
    nobody.refresh_from_db()
    assert nobody.status == Status.CLOSED


# --- 2. the queue's API refuses as the page does ----------------------------------------------


@pytest.mark.parametrize("who", ["hank", "dave", "carol", "sysadmin"])
def test_the_callback_queue_api_refuses_those_the_page_refuses(hotline: Any, who: str) -> None:
    _replied(hotline)
    user = getattr(hotline, who, None) or getattr(hotline.city, who)
    page = logged_in(user).get("/requests/callbacks/")
    assert page.status_code == 403
    if who == "sysadmin":  # an administrator holds no API token: the session, as the pages
        api = logged_in(user).get(f"{BASE}/callback-queue")
    else:
        api = Caller(user).get("/callback-queue")
    assert api.status_code == 403
    assert "无权" in api.json()["message"]


def test_the_callback_queue_api_lists_only_requests_someone_can_call(hotline: Any) -> None:
    nobody = _replied(hotline, channel="grid_worker", requester_name="", requester_phone="")
    hidden = _replied(hotline, anonymous=True, requester_name="", requester_phone="13600002222")
    named = _replied(hotline)
    got = Caller(hotline.city.olivia).get("/callback-queue")
    assert got.status_code == 200
    ids = [r["id"] for r in got.json()["results"]]
    assert ids == [named.pk] and nobody.pk not in ids and hidden.pk not in ids


# --- 3. a bad value is named as one -----------------------------------------------------------


def test_a_bad_resolution_is_named_not_taken_for_a_missing_one(hotline: Any) -> None:
    named = _replied(hotline)
    olivia = Caller(hotline.city.olivia)
    bad = olivia.post(
        f"/{named.pk}/callback", {"contacted": True, "resolution": "meh", "satisfaction": "great"}
    )
    assert bad.status_code == 422
    errors = bad.json()["detail"]
    assert "meh" in errors["resolution"][0] and "solved（已解决）" in errors["resolution"][0]
    assert "请选择" not in errors["resolution"][0]
    assert "great" in errors["satisfaction"][0] and "unsatisfied（不满意）" in errors["satisfaction"][0]
    missing = olivia.post(f"/{named.pk}/callback", {"contacted": True, "resolution": "", "satisfaction": ""})
    assert missing.json()["detail"]["resolution"] == ["请选择解决情况"]
    assert missing.json()["detail"]["satisfaction"] == ["请选择满意度"]
    named.refresh_from_db()
    assert named.status == Status.REPLIED and not Rating.objects.filter(request=named).exists()


def test_a_bad_value_on_the_rating_link_is_named_too(hotline: Any) -> None:
    named = _replied(hotline)
    body = {"token": named.rating_token, "contacted": True, "resolution": "solved", "satisfaction": "meh"}
    got = Client().post(f"{BASE}/rate", body, "application/json")
    assert got.status_code == 422, got.content
    assert "meh" in got.json()["detail"]["satisfaction"][0]
    named.refresh_from_db()
    assert named.status == Status.REPLIED


# --- 4. one limit for the comment -------------------------------------------------------------


def test_the_rating_comment_has_one_limit(hotline: Any) -> None:
    rendered = str(RateForm()["comment"])
    assert f'maxlength="{RATING_COMMENT_MAX}"' in rendered

    named = _replied(hotline)
    olivia = Caller(hotline.city.olivia)
    body = {"contacted": True, "resolution": "solved", "satisfaction": "satisfied"}
    too_long = olivia.post(f"/{named.pk}/callback", body | {"comment": "很" * (RATING_COMMENT_MAX + 1)})
    assert too_long.status_code == 422 and "comment" in too_long.json()["detail"]
    with pytest.raises(ValidationError) as refused:  # the service holds it too, whoever calls
        services.request_callback(
            actor=hotline.city.olivia,
            request=named,
            contacted=True,
            resolution="solved",
            satisfaction="satisfied",
            comment="很" * (RATING_COMMENT_MAX + 1),
        )
    assert "comment" in refused.value.errors
    named.refresh_from_db()
    assert named.status == Status.REPLIED
    ok = olivia.post(f"/{named.pk}/callback", body | {"comment": "很" * RATING_COMMENT_MAX})
    assert ok.status_code == 200 and ok.json()["status"] == Status.CLOSED
    assert len(Rating.objects.get(request=named).comment) == RATING_COMMENT_MAX
