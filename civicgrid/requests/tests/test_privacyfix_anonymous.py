"""An anonymous request (匿名) tells nobody who filed it: the ledger's Excel (page and
background export) leaves its requester out, no search by phone finds it (ledger, API,
console caller history and repeat check) while its requester still tracks it by number and
phone; it is not in the callback queue and is closed without a callback, noted so."""

import io
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.accounts.services import api_token_create
from civicgrid.exchange.models import ExportJob
from civicgrid.requests import selectors, services
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.models import Request, RequestEvent
from civicgrid.requests.tests.test_pages import CONSOLE, console_post
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db

LEDGER = "/requests/ledger/"
API = "/api/v1/requests/"
ANON_PHONE = "13600002222"


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    locator.invalidate()


@pytest.fixture
def hidden(hotline: Any) -> Request:
    """An anonymous complaint with a phone left, sent to subdistrict A (hank) by its place."""
    data = hotline.new(anonymous=True, requester_name="", requester_phone=ANON_PHONE, title="夜里偷排污水")
    return services.request_create(actor=hotline.city.olivia, data=data)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet_rows(body: bytes) -> list[tuple[Any, ...]]:
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


def requester_cells(rows: list[tuple[Any, ...]], number: str) -> tuple[Any, Any]:
    header = list(rows[0])
    [row] = [r for r in rows[1:] if r[0] == number]
    return row[header.index("诉求人")], row[header.index("联系电话")]


# --- 1. the ledger's Excel ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hank", "olivia", "dave"])
def test_the_ledger_export_leaves_an_anonymous_requester_out(hotline: Any, hidden: Request, who: str) -> None:
    named = services.request_create(actor=hotline.city.olivia, data=hotline.new(title="楼道灯不亮"))
    user = getattr(hotline, who, None) or getattr(hotline.city, who)
    response = logged_in(user).get(LEDGER, {"export": "xlsx"})
    assert response.status_code == 200
    rows = sheet_rows(response.content)
    assert requester_cells(rows, hidden.number) in {("", ""), (None, None)}
    assert "136****2222" not in repr(rows) and ANON_PHONE not in repr(rows)
    if who != "hank":  # a named requester is still shown masked to those who see him
        assert requester_cells(rows, named.number)[1] == "138****5678"


def test_the_background_export_leaves_an_anonymous_requester_out(
    hotline: Any,
    hidden: Request,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    monkeypatch.setattr("civicgrid.exchange.views_export.BACKGROUND_FROM", 1)
    services.request_create(actor=hotline.city.olivia, data=hotline.new(title="楼道灯不亮"))
    client = logged_in(hotline.city.dave)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(LEDGER, {"export": "xlsx"}).status_code == 302
    job = ExportJob.objects.get()
    download = client.get(f"/exchange/exports/{job.pk}/download/")
    rows = sheet_rows(b"".join(cast(Any, download).streaming_content))
    assert requester_cells(rows, hidden.number) in {("", ""), (None, None)}
    assert "136****2222" not in repr(rows) and "138****5678" in repr(rows)


# --- 2. searches by phone --------------------------------------------------------------------


def test_no_search_by_phone_finds_an_anonymous_request(hotline: Any, hidden: Request) -> None:
    named = services.request_create(
        actor=hotline.city.olivia, data=hotline.new(title="楼道灯不亮", requester_phone=ANON_PHONE)
    )
    for user in (hotline.hank, hotline.city.dave, hotline.city.olivia):
        _, token = api_token_create(actor=None, system=True, user=user, name="测试")
        found = Client().get(API, {"phone": ANON_PHONE}, headers={"Authorization": f"Bearer {token}"})
        assert found.status_code == 200
        assert [r["number"] for r in found.json()["results"]] == [named.number]
        page = logged_in(user).get(LEDGER, {"phone": "136-0000-2222"})
        assert page.status_code == 200
        assert [r.number for r in page.context["page"]] == [named.number]
    assert list(selectors.caller_history(hotline.city.olivia, ANON_PHONE)) == [named]


def test_the_console_caller_history_does_not_list_an_anonymous_request(hotline: Any, hidden: Request) -> None:
    client = logged_in(hotline.city.olivia)
    html = client.get("/requests/console/history/", {"requester_phone": ANON_PHONE}).content.decode()
    assert hidden.number not in html and "136****2222" not in html and "该号码没有历史诉求" in html


def test_an_anonymous_request_followed_by_its_number_shows_as_followed_without_its_requester(
    hotline: Any, hidden: Request
) -> None:
    services.request_note(
        actor=hotline.city.olivia, request=hidden, note="再次来电催办", caller_phone=ANON_PHONE
    )
    client = logged_in(hotline.city.olivia)
    html = client.get("/requests/console/history/", {"requester_phone": ANON_PHONE}).content.decode()
    assert hidden.number in html and "曾来电跟进" in html and "136****2222" not in html


def test_the_console_repeat_check_does_not_match_an_anonymous_call(hotline: Any) -> None:
    client = logged_in(hotline.city.olivia)
    data = console_post(hotline, requester_phone=ANON_PHONE, requester_name="", anonymous="on")
    assert client.post(CONSOLE, data).status_code == 302
    again = client.post(CONSOLE, console_post(hotline, requester_phone=ANON_PHONE))
    assert again.status_code == 302 and "确认仍要新建" not in again.content.decode()
    assert Request.objects.count() == 2


def test_the_requester_still_tracks_an_anonymous_request_by_number_and_phone(
    hotline: Any, hidden: Request
) -> None:
    h5 = Client().post("/requests/h5/track/", {"number": hidden.number, "phone": "136 0000 2222"})
    assert h5.status_code == 200 and hidden.number in h5.content.decode()
    api = Client().get("/api/v1/requests/track", {"number": hidden.number, "phone": ANON_PHONE})
    assert api.status_code == 200 and api.json()["number"] == hidden.number


# --- 3. no callback ----------------------------------------------------------------------------


def _replied(hotline: Any, **kw: Any) -> Request:
    """停水 needs a callback and no on-site check; the water company handles it."""
    data = hotline.new(category=hotline.water_outage, title="全楼停水", **kw)
    r = services.request_create(actor=hotline.city.olivia, data=data)
    services.request_sign(actor=hotline.walt, request=r)
    r = services.request_reply(actor=hotline.walt, request=r, reply="管道已抢修，恢复供水")
    r.refresh_from_db()
    return r


def test_an_anonymous_reply_is_not_called_back_and_is_closed_noted_so(hotline: Any) -> None:
    olivia = hotline.city.olivia
    hidden = _replied(hotline, anonymous=True, requester_name="", requester_phone=ANON_PHONE)
    named = _replied(hotline)
    assert list(selectors.callback_queue(olivia)) == [named]
    assert list(selectors.anonymous_to_close(olivia)) == [hidden]

    html = logged_in(olivia).get("/requests/callbacks/").content.decode()
    queue, _, apart = html.partition("匿名或未留电话的诉求待办结")
    assert hidden.number not in queue and named.number in queue
    assert hidden.number in apart and f"/requests/{hidden.pk}/act/callback/" not in html
    assert f"/requests/{hidden.pk}/act/close/" in apart

    services.request_close(actor=olivia, request=hidden)  # no note needed
    hidden.refresh_from_db()
    assert hidden.status == Status.CLOSED
    event = RequestEvent.objects.filter(request=hidden, action=Action.CLOSE).get()
    assert event.note == "匿名诉求，不回访"
    assert not selectors.anonymous_to_close(olivia).exists()


def test_a_named_request_still_needs_a_reason_to_close_without_callback(hotline: Any) -> None:
    from civicgrid.core.errors import ValidationError

    named = _replied(hotline)
    with pytest.raises(ValidationError) as refused:
        services.request_close(actor=hotline.city.olivia, request=named)
    assert "未回访办结须说明原因" in str(refused.value.message)
    services.request_close(actor=hotline.city.olivia, request=named, note="联系不上")
    assert RequestEvent.objects.get(request=named, action=Action.CLOSE).note == "联系不上"
