"""Staff pages of respond-upon-receipt: console, triage, callbacks, inbox, request page, whistles."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.core import inputs
from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.requests import services
from civicgrid.requests.constants import Action, Status
from civicgrid.requests.models import Attachment, Rating, Request, RequestEvent, SavedAnswer, WhistleSummons
from civicgrid.requests.web_helpers import REQUESTER_PII_VIEWED
from civicgrid.territory.locator import locator

pytestmark = pytest.mark.django_db

CONSOLE = "/requests/console/"
PNG = images.PNG  # a whole image: the upload check refuses a bare signature


@pytest.fixture(autouse=True)
def _fresh_locator() -> None:
    """The locator caches grids by geometry version, which a rolled-back test on PostgreSQL
    leaves equal while the grid ids move on."""
    locator.invalidate()


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def page(response: Any) -> str:
    return response.content.decode()


def console_post(hotline: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "requester_phone": "13812345678",
        "requester_name": "张三",
        "channel": "hotline",
        "type": "complaint",
        "urgency": "normal",
        "title": "电梯停运三天",
        "content": "3号楼电梯坏了没人修",
        "category": hotline.lift.pk,
        "address": "胜利门1号楼",
        "lon": "120.305",
        "lat": "31.575",
    }
    data.update(kw)
    return data


def snapshot(request: Request) -> tuple[Any, ...]:
    request.refresh_from_db()
    return (
        request.status,
        request.version,
        RequestEvent.objects.filter(request=request).count(),
        AuditLog.objects.count(),
    )


# --- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("olivia", CONSOLE),
        ("bob", CONSOLE),
        ("olivia", "/requests/triage/"),
        ("olivia", "/requests/callbacks/"),
        ("hank", "/requests/inbox/"),
        ("dora", "/requests/inbox/"),
        ("hank", "/requests/whistles/"),
        ("dave", "/requests/whistles/"),
    ],
)
def test_each_page_renders_for_its_users(client: Client, hotline: Any, who: str, url: str) -> None:
    services.request_create(actor=hotline.city.olivia, data=hotline.new())
    user = getattr(hotline, who, None) or getattr(hotline.city, who)
    response = login(client, user).get(url)
    assert response.status_code == 200, page(response)[:500]


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("hank", CONSOLE),
        ("hank", "/requests/triage/"),
        ("bob", "/requests/triage/"),
        ("bob", "/requests/callbacks/"),
        ("olivia", "/requests/inbox/"),
        ("sysadmin", "/requests/whistles/"),
    ],
)
def test_pages_refuse_others_in_chinese(client: Client, hotline: Any, who: str, url: str) -> None:
    user = getattr(hotline, who, None) or getattr(hotline.city, who)
    response = login(client, user).get(url)
    assert response.status_code == 403
    assert "无法完成操作" in page(response)


@pytest.mark.parametrize("url", [CONSOLE, "/requests/triage/", "/requests/inbox/", "/requests/whistles/"])
def test_anonymous_is_sent_to_login(client: Client, hotline: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_menu_lists_the_pages_each_person_may_use(client: Client, hotline: Any) -> None:
    olivia = page(login(client, hotline.city.olivia).get("/"))
    assert "话务台" in olivia and "分拣派单" in olivia and "待办工单" not in olivia
    hank = page(login(client, hotline.hank).get("/"))
    assert "待办工单" in hank and "话务台" not in hank


# --- the console ------------------------------------------------------------------------------


def test_console_records_a_call_and_says_where_it_went(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    response = client.post(CONSOLE, console_post(hotline), follow=True)
    created = Request.objects.get()
    assert created.status == Status.DISPATCHED and created.lead_unit == hotline.sub_a_unit
    assert created.requester_phone_masked == "138****5678"
    html = page(response)
    assert created.number in html and "崇安寺街道办事处" in html and "规则：属地街道" in html


def test_console_without_category_goes_to_triage(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    response = client.post(CONSOLE, console_post(hotline, category=""), follow=True)
    created = Request.objects.get()
    assert created.status == Status.RECEIVED
    assert "分拣派单" in page(response)
    assert created.number in page(client.get("/requests/triage/"))


def test_console_refuses_bad_input_and_creates_nothing(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    before = AuditLog.objects.count()
    response = client.post(CONSOLE, console_post(hotline, title="", requester_phone="12345", lon="东经"))
    assert response.status_code == 422
    html = page(response)
    assert "请填写标题" in html and "经度应为数字" in html
    assert not Request.objects.exists() and AuditLog.objects.count() == before
    response = client.post(CONSOLE, console_post(hotline, requester_phone="12345"))
    assert "电话号码格式不正确" in page(response)
    assert not Request.objects.exists() and AuditLog.objects.count() == before


@pytest.mark.parametrize(
    "field, typed", [("category", "²"), ("building", "²"), ("requester_phone", "139²0004444")]
)
def test_console_refuses_look_alike_digits_and_creates_nothing(
    client: Client, hotline: Any, field: str, typed: str
) -> None:
    """'²' passes str.isdigit(): the console answered 500 for a picked category or building,
    and stored 139²0004444 as 13920004444, a number the caller never gave."""
    login(client, hotline.city.olivia)
    response = client.post(CONSOLE, console_post(hotline, **{field: typed}))
    assert response.status_code == 422
    assert not Request.objects.exists()


def test_caller_history_shows_earlier_requests_masked(client: Client, hotline: Any) -> None:
    earlier = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    login(client, hotline.city.olivia)
    html = page(client.get("/requests/console/history/", {"requester_phone": "13812345678"}))
    assert earlier.number in html and "138****5678" in html and "13812345678" not in html
    assert earlier.number not in page(
        client.get("/requests/console/history/", {"requester_phone": "13900000000"})
    )
    for typed in ("+86 138 1234 5678", "138-1234-5678", "１３８１２３４５６７８"):  # as numbers get typed
        found = page(client.get("/requests/console/history/", {"requester_phone": typed}))
        assert earlier.number in found, typed


def test_category_search_by_pinyin_initials_and_name(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    by_initials = page(client.get("/requests/console/categories/", {"q": "dtgz"}))
    assert f'data-id="{hotline.lift.pk}"' in by_initials and "电梯故障" in by_initials
    by_name = page(client.get("/requests/console/categories/", {"q": "占道"}))
    assert (
        f'data-id="{hotline.street_vending.pk}"' in by_name and f'data-id="{hotline.lift.pk}"' not in by_name
    )


def test_follow_this_one_instead_adds_a_note_and_no_new_request(client: Client, hotline: Any) -> None:
    first = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    far = services.request_create(actor=hotline.city.olivia, data=hotline.new(lon=120.335, lat=31.585))
    login(client, hotline.city.olivia)
    similar = page(
        client.get(
            "/requests/console/similar/",
            {"title": "电梯又停运了", "content": "3号楼电梯还是坏的", "lon": "120.3052", "lat": "31.5751"},
        )
    )
    assert first.number in similar and "跟进此件" in similar and far.number not in similar
    response = client.post(
        CONSOLE, console_post(hotline, title="电梯又停运了", requester_phone="13900001111", follow=first.pk)
    )
    assert response.status_code == 302
    assert Request.objects.count() == 2
    note = RequestEvent.objects.get(request=first, action=Action.NOTE)
    assert "再次来电" in note.note and "139****1111" in note.note and "13900001111" not in note.note
    assert first.number in page(client.get(response["Location"]))


def test_consultation_closed_at_once_with_a_saved_answer(client: Client, hotline: Any) -> None:
    SavedAnswer.objects.create(
        title="医保报销比例", content="职工医保在一级医院报销90%。", keywords="医保 报销"
    )
    login(client, hotline.city.olivia)
    answers = page(client.get("/requests/console/answers/", {"answer_q": "报销"}))
    assert "职工医保在一级医院报销90%" in answers
    data = console_post(
        hotline,
        type="consultation",
        category=hotline.policy_question.pk,
        answer="职工医保在一级医院报销90%。",
    )
    response = client.post(CONSOLE, {**data, "direct_close": "1"}, follow=True)
    done = Request.objects.get()
    assert done.status == Status.CLOSED and done.direct_answer.startswith("职工医保")
    assert "咨询已直接办结" in page(response)


def test_direct_close_of_a_complaint_is_refused_and_creates_nothing(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    response = client.post(CONSOLE, {**console_post(hotline, answer="答复"), "direct_close": "1"})
    assert response.status_code == 422
    assert "只有咨询类诉求可以直接办结" in page(response)
    assert not Request.objects.exists()


# --- the inbox --------------------------------------------------------------------------------


def test_inbox_lists_the_units_requests_by_deadline_with_lights(client: Client, hotline: Any) -> None:
    olivia = hotline.city.olivia
    slow = services.request_create(actor=olivia, data=hotline.new())
    fast = services.request_create(actor=olivia, data=hotline.new(category=hotline.street_vending))
    elsewhere = services.request_create(actor=olivia, data=hotline.new(lon=120.33, lat=31.58))
    html = page(login(client, hotline.dora).get("/requests/inbox/"))
    assert fast.number in html and slow.number not in html
    html = page(login(client, hotline.hank).get("/requests/inbox/"))
    assert slow.number in html and elsewhere.number not in html
    assert "light-green" in html and "剩余" in html


def test_bulk_sign_signs_what_it_can_and_reports_the_rest(client: Client, hotline: Any) -> None:
    olivia = hotline.city.olivia
    a = services.request_create(actor=olivia, data=hotline.new())
    b = services.request_create(actor=olivia, data=hotline.new(title="楼道灯不亮"))
    services.request_sign(actor=hotline.hank, request=b)
    foreign = services.request_create(actor=olivia, data=hotline.new(category=hotline.street_vending))
    login(client, hotline.hank)
    response = client.post("/requests/inbox/", {"ids": [a.pk, b.pk, foreign.pk]})
    assert response.status_code == 200
    html = page(response)
    a.refresh_from_db()
    foreign.refresh_from_db()
    assert a.status == Status.SIGNED and foreign.status == Status.DISPATCHED
    assert "成功 1 件，未签收 2 件" in html
    assert "不能签收" in html and "不在您的待办工单中" in html


def test_inbox_queries_stay_bounded(client: Client, hotline: Any, django_assert_max_num_queries: Any) -> None:
    olivia = hotline.city.olivia
    login(client, hotline.hank)

    def queries(**params: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/requests/inbox/", params).status_code == 200
        return len(captured)

    for i in range(2):
        services.request_create(actor=olivia, data=hotline.new(title=f"电梯故障{i}"))
    few = queries()
    for i in range(2, 14):
        services.request_create(actor=olivia, data=hotline.new(title=f"电梯故障{i}"))
    many = queries()
    assert many == few <= 14
    filtered = {"light": "green", "status": "dispatched", "category": hotline.lift.pk}
    with django_assert_max_num_queries(14):
        client.get("/requests/inbox/", filtered)
    assert page(client.get("/requests/inbox/")).count('name="ids"') == 14


# --- the request page -------------------------------------------------------------------------


def test_request_page_shows_the_record_and_only_allowed_actions(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    html = page(login(client, hotline.hank).get(f"/requests/{r.pk}/"))
    assert r.number in html and "规则：属地街道" in html and "138****5678" in html
    assert f"/requests/{r.pk}/act/sign/" in html and f"/requests/{r.pk}/act/return_request/" in html
    assert f"/requests/{r.pk}/act/dispatch/" not in html and f"/requests/{r.pk}/act/reassign/" not in html
    assert f"/territory/{hotline.city.grid_a1_1.pk}/geojson/" in html
    html = page(login(client, hotline.city.olivia).get(f"/requests/{r.pk}/"))
    assert f"/requests/{r.pk}/act/reassign/" in html and f"/requests/{r.pk}/act/sign/" not in html


def test_an_action_runs_through_its_service(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    login(client, hotline.hank)
    form = client.get(f"/requests/{r.pk}/act/sign/", headers={"HX-Request": "true"})
    assert "确认签收" in page(form) and f'value="{r.version}"' in page(form)
    unversioned = client.post(f"/requests/{r.pk}/act/sign/", {}, headers={"HX-Request": "true"})
    assert "请刷新页面后重试" in page(unversioned)
    r.refresh_from_db()
    assert r.status == Status.DISPATCHED
    response = client.post(
        f"/requests/{r.pk}/act/sign/", {"version": r.version}, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == f"/requests/{r.pk}/"
    r.refresh_from_db()
    assert r.status == Status.SIGNED
    assert AuditLog.objects.filter(verb="requests.sign", target_id=str(r.pk)).exists()


def test_date_fields_show_their_default_in_iso_form(client: Client, hotline: Any) -> None:
    """<input type="date"> shows only 2026-11-23; Django's Chinese format was 2026/11/23."""
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    r = services.request_sign(actor=hotline.hank, request=r)
    form = page(
        login(client, hotline.hank).get(f"/requests/{r.pk}/act/council/", headers={"HX-Request": "true"})
    )
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in form


def test_reply_with_a_photo_shows_on_the_timeline_for_staff_only(
    client: Client, hotline: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    r = services.request_sign(actor=hotline.hank, request=r)
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    login(client, hotline.hank)
    response = client.post(
        f"/requests/{r.pk}/act/reply/", {"version": r.version, "reply": "已更换电机", "attachments": [photo]}
    )
    assert response.status_code == 302
    item = Attachment.objects.get(request=r)
    assert item.event is not None and item.event.action == Action.REPLY
    url = f"/requests/{r.pk}/attachments/{item.pk}/"
    assert url in page(client.get(f"/requests/{r.pk}/"))
    served = client.get(url)
    assert served.status_code == 200 and served.getvalue().startswith(b"\x89PNG")
    assert login(client, hotline.city.carol).get(url).status_code == 404


def test_a_renamed_file_is_refused_and_nothing_changes(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    r = services.request_sign(actor=hotline.hank, request=r)
    before = snapshot(r)
    fake = SimpleUploadedFile("现场.png", b"MZ\x90\x00 not an image", content_type="image/png")
    login(client, hotline.hank)
    response = client.post(
        f"/requests/{r.pk}/act/reply/", {"version": r.version, "reply": "已处理", "attachments": [fake]}
    )
    assert response.status_code == 422 and "只接受 JPG、PNG、WEBP 图片或 PDF" in page(response)
    assert snapshot(r) == before and not Attachment.objects.exists()


def test_a_stale_page_gets_the_conflict_message_and_changes_nothing(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    stale = r.version
    services.request_sign(actor=hotline.hank, request=r)  # hank acted meanwhile, in another tab
    before = snapshot(r)
    login(client, hotline.hank)
    response = client.post(
        f"/requests/{r.pk}/act/return_request/", {"version": stale, "reason": "不归我们管"}
    )
    assert response.status_code == 409
    assert "该诉求已在您的另一个页面或窗口中处理过" in page(response)
    assert snapshot(r) == before
    response = client.post(
        f"/requests/{r.pk}/act/return_request/",
        {"version": stale, "reason": "不归我们管"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "请刷新后再试" in page(response)
    assert snapshot(r) == before


def test_bad_input_on_an_action_names_the_field_and_changes_nothing(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    before = snapshot(r)
    login(client, hotline.hank)
    response = client.post(f"/requests/{r.pk}/act/return_request/", {"version": r.version, "reason": " "})
    assert response.status_code == 422 and "请填写退单理由" in page(response)
    response = client.post(f"/requests/{r.pk}/act/extend_request/", {"version": r.version, "amount": "很多"})
    assert "延长时长必须是数字" in page(response)
    assert snapshot(r) == before


def test_an_action_the_actor_may_not_take_is_refused(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    before = snapshot(r)
    login(client, hotline.dora)  # 城管局 has no part in this request
    response = client.post(f"/requests/{r.pk}/act/sign/", {"version": r.version})
    assert response.status_code == 404
    login(client, hotline.city.olivia)  # the dispatcher may see it but not sign for the unit
    response = client.post(f"/requests/{r.pk}/act/sign/", {"version": r.version})
    assert response.status_code == 403 and "您无权对该诉求执行「签收」" in page(response)
    assert snapshot(r) == before


def test_outsider_cannot_open_another_communitys_request(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    response = login(client, hotline.city.carol).get(f"/requests/{r.pk}/")
    assert response.status_code == 404
    assert r.number not in page(response)


def test_reveal_of_the_requester_is_audited_and_needs_pii_view(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    bob = hotline.city.bob
    html = page(login(client, bob).get(f"/requests/{r.pk}/"))
    assert f"/requests/{r.pk}/reveal/" in html and "13812345678" not in html
    response = client.post(f"/requests/{r.pk}/reveal/")
    assert "13812345678" in page(response) and "张三" in page(response)
    assert AuditLog.objects.filter(verb=REQUESTER_PII_VIEWED, actor=bob, target_id=str(r.pk)).count() == 1
    login(client, hotline.hank)
    assert f"/requests/{r.pk}/reveal/" not in page(client.get(f"/requests/{r.pk}/"))
    response = client.post(f"/requests/{r.pk}/reveal/")
    assert response.status_code == 403 and "13812345678" not in page(response)
    assert not AuditLog.objects.filter(verb=REQUESTER_PII_VIEWED, actor=hotline.hank).exists()


def test_a_confidential_requester_is_neither_revealed_nor_found_by_phone(
    client: Client, hotline: Any
) -> None:
    """The community worker may reveal requesters in general, but not a confidential one; nor
    does the caller history (by phone) list it. The dispatcher sees both."""
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new(confidential=True))
    login(client, hotline.city.bob)
    html = page(client.get(f"/requests/{r.pk}/"))
    assert "要求保密" in html and f"/requests/{r.pk}/reveal/" not in html
    response = client.post(f"/requests/{r.pk}/reveal/")
    assert response.status_code == 403 and "13812345678" not in page(response)
    history = page(client.get("/requests/console/history/", {"requester_phone": "13812345678"}))
    assert r.number not in history
    assert not AuditLog.objects.filter(verb=REQUESTER_PII_VIEWED).exists()
    login(client, hotline.city.olivia)
    assert r.number in page(client.get("/requests/console/history/", {"requester_phone": "13812345678"}))


def test_an_anonymous_requester_is_never_revealed(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new(anonymous=True))
    login(client, hotline.city.bob)
    html = page(client.get(f"/requests/{r.pk}/"))
    assert "匿名" in html and f"/requests/{r.pk}/reveal/" not in html
    response = client.post(f"/requests/{r.pk}/reveal/")
    assert response.status_code == 403 and "13812345678" not in page(response)
    assert not AuditLog.objects.filter(verb=REQUESTER_PII_VIEWED).exists()


def test_timeline_shows_every_event(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=r)
    services.request_reply(actor=hotline.hank, request=r, reply="已联系物业更换电机")
    html = page(login(client, hotline.city.olivia).get(f"/requests/{r.pk}/"))
    for label in ("受理", "派单", "签收", "答复"):
        assert f"<strong>{label}</strong>" in html
    assert "已联系物业更换电机" in html and "韩军" in html


# --- triage and callbacks ---------------------------------------------------------------------


def test_triage_dispatch_by_hand_records_the_operator_as_the_rule(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=None))
    login(client, hotline.city.olivia)
    assert r.number in page(client.get("/requests/triage/"))
    response = client.post(
        f"/requests/{r.pk}/act/dispatch/",
        {
            "version": r.version,
            "category": hotline.lift.pk,
            "lead_unit": hotline.zhujian.pk,
            "assisting": [hotline.sub_a_unit.pk],
            "note": "电梯归住建局管理",
            "next": "/requests/triage/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/requests/triage/"
    r.refresh_from_db()
    assert r.status == Status.DISPATCHED and r.lead_unit == hotline.zhujian
    event = RequestEvent.objects.get(request=r, action=Action.DISPATCH)
    assert event.data["rule_label"].startswith("人工指定")


def test_triage_shows_a_return_and_the_dispatcher_approves_it(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_return(actor=hotline.hank, request=r, reason="该楼属于住建局直管")
    r.refresh_from_db()
    login(client, hotline.city.olivia)
    assert "该楼属于住建局直管" in page(client.get("/requests/triage/"))
    client.post(f"/requests/{r.pk}/act/return_approve/", {"version": r.version})
    r.refresh_from_db()
    assert r.status == Status.RECEIVED and r.lead_unit is None


def test_callback_queue_records_the_rating_and_closes(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.policy_question))
    services.request_sign(actor=hotline.hank, request=r)
    services.request_reply(actor=hotline.hank, request=r, reply="已电话解释医保政策")
    r.refresh_from_db()
    login(client, hotline.city.olivia)
    assert r.number in page(client.get("/requests/callbacks/"))
    response = client.post(
        f"/requests/{r.pk}/act/callback/",
        {"version": r.version, "contacted": "yes", "resolution": "solved", "satisfaction": "satisfied"},
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == Status.CLOSED
    assert Rating.objects.get(request=r).satisfaction == "satisfied"


def test_callback_without_answers_is_refused(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=hotline.policy_question))
    services.request_sign(actor=hotline.hank, request=r)
    services.request_reply(actor=hotline.hank, request=r, reply="已解释")
    before = snapshot(r)
    login(client, hotline.city.olivia)
    response = client.post(f"/requests/{r.pk}/act/callback/", {"version": r.version, "contacted": "yes"})
    assert response.status_code == 422 and "请选择满意度" in page(response)
    assert snapshot(r) == before and not Rating.objects.exists()


# --- whistles ---------------------------------------------------------------------------------


def test_whistle_page_lists_the_summons_and_the_department_reports_in(client: Client, hotline: Any) -> None:
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    services.request_sign(actor=hotline.hank, request=r)
    services.request_whistle(
        actor=hotline.hank,
        request=r,
        units=[hotline.chengguan],
        reason="占道堆物需城管联合执法",
        deadline=timezone.now() + timedelta(hours=4),
    )
    summons = WhistleSummons.objects.get()
    login(client, hotline.dora)
    assert "占道堆物需城管联合执法" in page(client.get("/requests/whistles/"))
    response = client.post(f"/requests/whistles/summons/{summons.pk}/report/", {"part": " "})
    assert "请填写承担的工作" in page(response)
    summons.refresh_from_db()
    assert summons.reported_at is None
    client.post(f"/requests/whistles/summons/{summons.pk}/report/", {"part": "派执法队清理堆物"})
    summons.refresh_from_db()
    assert summons.reported_at is not None and summons.part == "派执法队清理堆物"
    html = page(login(client, hotline.hank).get(f"/requests/{r.pk}/"))
    assert "吹哨报到" in html and "派执法队清理堆物" in html
    assert "派执法队清理堆物" in page(client.get("/requests/whistles/"))


def test_console_uses_the_catalogue_search_when_it_exists(client: Client, hotline: Any) -> None:
    from django.urls import NoReverseMatch, reverse

    try:
        expected = reverse("requests:category_search")
    except NoReverseMatch:
        expected = reverse("requests:console_categories")
    html = page(login(client, hotline.city.olivia).get(CONSOLE))
    assert f'data-url="{expected}"' in html and "autofocus" in html and "Alt+1" in html


# --- the module page stays true ---------------------------------------------------------------


def _state_rows() -> list[str]:
    from civicgrid.requests import transitions as t
    from civicgrid.requests.constants import Status

    def statuses(values: frozenset[str]) -> str:
        return "any" if values == t.ANY else ", ".join(f"`{s}`" for s in Status.values if s in values)

    rows = []
    for action, rule in t.TRANSITIONS.items():
        target = {None: "—", t.PREVIOUS: "(previous)"}.get(rule.target, f"`{rule.target}`")
        who = ", ".join(sorted(rule.actors))
        rows.append(f"| `{action}` | {Action(action).label} | {statuses(rule.sources)} | {target} | {who} |")
    return rows


def test_module_page_state_table_matches_the_code() -> None:
    from pathlib import Path

    import civicgrid

    doc = (Path(civicgrid.__file__).parent.parent / "docs" / "modules" / "requests.md").read_text()
    table = doc.split("<!-- transitions:start -->")[1].split("<!-- transitions:end -->")[0]
    documented = table.strip().splitlines()[2:]
    assert documented == _state_rows()


def test_a_nul_character_in_any_form_or_query_field_is_refused_before_the_view(
    client: Client, hotline: Any
) -> None:
    """PostgreSQL cannot store NUL in text: a page handler passing one on failed with a 500."""
    r = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    before = snapshot(r)
    login(client, hotline.hank)
    response = client.post(
        f"/requests/{r.pk}/act/return_request/", {"version": r.version, "reason": "不归\x00我们"}
    )
    assert response.status_code == 422
    assert "不能包含空字符" in page(response) and "reason：" not in page(response)  # no field code
    assert snapshot(r) == before
    found = client.get("/requests/inbox/", {"q": "电梯\x00"}, headers={"Accept": "application/json"})
    assert found.status_code == 422 and found.json()["detail"] == {"q": [str(inputs.NUL)]}
    assert client.get("/requests/inbox/", {"q": "电梯"}).status_code == 200
