"""Resident H5 (submit, track, rate) and the digital doorplate, through the pages."""

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.requests import services
from civicgrid.requests.constants import Channel, RequestType, Status, Urgency
from civicgrid.requests.doorplate import building_for_token, doorplate_token, join_place, qr_svg
from civicgrid.requests.models import Attachment, DispatchRule, Rating, Request
from civicgrid.requests.permissions import SYSTEM
from civicgrid.requests.views.resident import NOT_FOUND
from civicgrid.territory import services as territory
from civicgrid.territory.models import Post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

PHONE = "13912345678"
PNG = images.PNG  # a whole image: the upload check refuses a bare signature


def report(**kw: Any) -> dict[str, Any]:
    data = {
        "type": "complaint",
        "title": "小区路灯不亮",
        "content": "胜利门1号楼前的路灯坏了一周",
        "address": "胜利门1号楼前",
        "phone": PHONE,
        "name": "刘洋",
    }
    data.update(kw)
    return data


def submit(client: Client, **kw: Any) -> Any:
    return client.post(reverse("requests:h5_submit"), report(**kw))


def served(hotline: Any, **kw: Any) -> Request:
    """A request from the H5 form, dispatched, signed for and answered by hank."""
    data = hotline.new(channel="web", requester_phone=PHONE, category=hotline.noise, **kw)
    request = services.request_create(actor=SYSTEM, data=data)
    services.request_sign(actor=hotline.hank, request=request)
    return services.request_reply(actor=hotline.hank, request=request, reply="已责令施工方夜间停工")


# ---------------------------------------------------------------- submit


def test_submit_creates_a_web_request_in_triage_with_the_phone_protected(
    hotline: Any, client: Client
) -> None:
    photo = SimpleUploadedFile("lamp.png", PNG, content_type="image/png")
    response = client.post(reverse("requests:h5_submit"), report(photos=[photo]), follow=True)
    request = Request.objects.get()
    assert request.channel == Channel.WEB
    assert request.status == Status.RECEIVED  # no category: operators triage
    assert request.category is None
    assert request.requester_phone_masked == "139****5678"
    assert PHONE not in request.requester_phone_enc
    assert request.requester_name_masked == "刘*"
    assert Attachment.objects.filter(request=request, content_type="image/png").count() == 1
    page = response.content.decode()
    assert request.number in page
    assert reverse("requests:h5_track") + f"?number={request.number}" in page


def test_submit_with_a_picked_category_is_dispatched_by_the_rules(hotline: Any, client: Client) -> None:
    form_page = client.get(reverse("requests:h5_submit")).content.decode()
    assert "市容秩序" in form_page and "占道经营" in form_page  # grouped under level 1 · level 2
    submit(client, category=str(hotline.street_vending.pk))
    request = Request.objects.get()
    assert request.category == hotline.street_vending
    assert request.status == Status.DISPATCHED
    assert request.lead_unit == hotline.chengguan


def test_submit_with_the_browser_location_finds_the_grid(hotline: Any, client: Client) -> None:
    submit(client, lon="120.315", lat="31.575")
    request = Request.objects.get()
    assert request.node == hotline.city.grid_a1_2
    assert (request.lon, request.lat) == (120.315, 31.575)


def test_submit_without_a_phone_is_refused_unless_anonymous(hotline: Any, client: Client) -> None:
    response = submit(client, phone="")
    assert response.status_code == 422
    assert "请填写联系电话" in response.content.decode()
    assert not Request.objects.exists()
    submit(client, phone="", anonymous="on")
    request = Request.objects.get()
    assert request.anonymous and request.requester_name_masked == ""


def test_bad_input_names_the_field_and_creates_nothing(hotline: Any, client: Client) -> None:
    exe = SimpleUploadedFile("virus.png", b"MZ\x90\x00", content_type="image/png")
    response = client.post(reverse("requests:h5_submit"), report(title="", phone="12345", photos=[exe]))
    page = response.content.decode()
    assert response.status_code == 422
    assert "电话号码格式不正确" in page and "请填写标题" in page
    assert not Request.objects.exists()
    assert not AuditLog.objects.filter(verb="requests.received").exists()


def test_a_phone_location_far_away_is_explained_and_dropped(hotline: Any, client: Client) -> None:
    """The point comes from the phone in hidden fields: the resident is told, the point is
    cleared from the form, and the next submit (with the address) goes through."""
    response = submit(client, lon="116.4", lat="39.9")
    page = response.content.decode()
    assert response.status_code == 422 and "请核对经纬度" in page and "已清除定位" in page
    assert 'value="116.4"' not in page and not Request.objects.exists()
    assert submit(client, lon="", lat="").status_code == 302 and Request.objects.count() == 1


def test_honeypot_refuses_and_creates_nothing(hotline: Any, client: Client) -> None:
    response = submit(client, website="http://spam.example")
    assert response.status_code == 400
    assert not Request.objects.exists()
    assert not AuditLog.objects.filter(verb="requests.received").exists()


def test_rate_limit_per_ip_refuses_and_creates_nothing(hotline: Any, client: Client, settings: Any) -> None:
    settings.REQUESTS_H5_SUBMIT_LIMIT = 2
    assert submit(client).status_code == 302
    assert submit(client).status_code == 302
    response = submit(client)
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Request.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.8")
    assert other.post(reverse("requests:h5_submit"), report()).status_code == 302


def test_submit_needs_csrf(hotline: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("requests:h5_submit"), report()).status_code == 403
    assert not Request.objects.exists()


# ---------------------------------------------------------------- track


def test_track_shows_the_public_timeline_for_the_matching_phone(hotline: Any, client: Client) -> None:
    request = served(hotline)
    services.request_note(actor=hotline.city.olivia, request=request, note="内部备注：此人多次来电")
    response = client.post(reverse("requests:h5_track"), {"number": request.number, "phone": PHONE})
    page = response.content.decode()
    assert response.status_code == 200
    assert "已答复，请您评价" in page
    assert "崇安寺街道办事处" in page  # unit names are public
    assert "已责令施工方夜间停工" in page  # the reply is public
    assert "内部备注" not in page  # internal notes are not
    assert hotline.hank.full_name not in page and hotline.city.olivia.full_name not in page
    assert reverse("requests:h5_rate", args=[request.rating_token]) in page  # rating form


def test_track_with_a_wrong_phone_or_number_says_the_same_and_shows_nothing(
    hotline: Any, client: Client
) -> None:
    request = served(hotline)
    wrong_phone = client.post(
        reverse("requests:h5_track"), {"number": request.number, "phone": "13700000000"}
    )
    wrong_number = client.post(reverse("requests:h5_track"), {"number": "20000101-000001", "phone": PHONE})
    for response in (wrong_phone, wrong_number):
        page = response.content.decode()
        assert response.status_code == 404
        assert str(NOT_FOUND) in page
        assert request.title not in page and "已责令" not in page


def test_track_refuses_after_too_many_failed_lookups(hotline: Any, client: Client, settings: Any) -> None:
    settings.REQUESTS_H5_TRACK_LIMIT = 2
    request = served(hotline)
    for _ in range(2):
        client.post(reverse("requests:h5_track"), {"number": request.number, "phone": "13700000000"})
    response = client.post(reverse("requests:h5_track"), {"number": request.number, "phone": PHONE})
    assert response.status_code == 429
    assert request.title not in response.content.decode()


# ---------------------------------------------------------------- rate


def rate(client: Client, token: str, satisfaction: str = "satisfied", resolution: str = "solved") -> Any:
    data = {"contacted": "yes", "resolution": resolution, "satisfaction": satisfaction, "comment": "很及时"}
    return client.post(reverse("requests:h5_rate", args=[token]), data)


def test_satisfied_rating_through_the_link_closes_and_a_second_one_is_refused(
    hotline: Any, client: Client
) -> None:
    request = served(hotline)
    response = client.get(reverse("requests:h5_rate_short", args=[request.rating_token]), follow=True)
    assert "请评价本次办理" in response.content.decode()
    assert "感谢您的评价" in client.get(rate(client, request.rating_token)["Location"]).content.decode()
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    rating = Rating.objects.get(request=request)
    assert (rating.contacted, rating.resolution, rating.satisfaction) == (True, "solved", "satisfied")
    assert rating.via == Rating.Via.LINK
    again = rate(client, request.rating_token, satisfaction="unsatisfied", resolution="unsolved")
    assert again.status_code == 409
    assert "您已评价过该诉求，不能重复评价" in again.content.decode()
    assert Rating.objects.filter(request=request).count() == 1


def test_a_rating_from_the_tracking_page_is_recorded_as_h5(hotline: Any, client: Client) -> None:
    request = served(hotline)
    page = client.post(reverse("requests:h5_track"), {"number": request.number, "phone": PHONE})
    assert 'name="via" value="h5"' in page.content.decode()
    data = {"contacted": "yes", "resolution": "solved", "satisfaction": "satisfied", "via": "h5"}
    client.post(reverse("requests:h5_rate", args=[request.rating_token]), data)
    assert Rating.objects.get(request=request).via == Rating.Via.H5


def test_unsatisfied_rating_reopens(hotline: Any, client: Client) -> None:
    request = served(hotline)
    page = rate(client, request.rating_token, satisfaction="unsatisfied", resolution="unsolved")
    assert "重新办理" in client.get(page["Location"]).content.decode()
    request.refresh_from_db()
    assert request.status == Status.DISPATCHED and request.reopen_count == 1


def test_rating_needs_every_answer_and_a_valid_token(hotline: Any, client: Client) -> None:
    request = served(hotline)
    response = client.post(reverse("requests:h5_rate", args=[request.rating_token]), {"contacted": "yes"})
    assert response.status_code == 422
    assert not Rating.objects.exists()
    bad = client.get(reverse("requests:h5_rate", args=["not-a-token"]))
    assert bad.status_code == 404 and "评价链接无效" in bad.content.decode()


def test_an_empty_rating_post_says_which_answers_are_missing(hotline: Any, client: Client) -> None:
    """An empty POST binds the form too: it used to come back 200, blank, with no message."""
    request = served(hotline)
    response = client.post(reverse("requests:h5_rate", args=[request.rating_token]), {})
    page = response.content.decode()
    assert response.status_code == 422
    assert "请按提示修改标红的内容后再提交" in page
    assert "请选择是否联系过您" in page and "请选择解决情况" in page and "请选择满意度" in page
    assert not Rating.objects.exists()
    request.refresh_from_db()
    assert request.status not in (Status.CLOSED, Status.DISPATCHED)


def test_empty_posts_of_the_other_h5_forms_say_what_is_missing(hotline: Any, client: Client) -> None:
    submitted = client.post(reverse("requests:h5_submit"), {})
    assert submitted.status_code == 422
    assert "请填写标题" in submitted.content.decode() and "请填写具体内容" in submitted.content.decode()
    plate = doorplate_token(hotline.city.building_a1)
    reported = client.post(reverse("requests:doorplate", args=[plate]), {})
    assert reported.status_code == 422 and "请填写标题" in reported.content.decode()
    alarm = client.post(reverse("requests:doorplate_alarm", args=[plate]), {})
    assert alarm.status_code == 422 and "请点击“确认报警”按钮提交" in alarm.content.decode()
    assert not Request.objects.exists()


def test_rating_before_the_reply_is_refused(hotline: Any, client: Client) -> None:
    request = services.request_create(actor=SYSTEM, data=hotline.new(channel="web"))
    response = rate(client, request.rating_token)
    assert response.status_code == 409
    assert "尚未办理答复" in response.content.decode()
    assert not Rating.objects.exists()


# ---------------------------------------------------------------- doorplate


def test_doorplate_token_names_the_building_and_tampering_gives_404(hotline: Any, client: Client) -> None:
    a1, b1 = hotline.city.building_a1, hotline.city.building_b1
    token = doorplate_token(a1)
    assert building_for_token(token) == a1
    page = client.get(reverse("requests:doorplate", args=[token])).content.decode()
    assert a1.name in page and "胜利门社区" in page and "胜利门一网格" in page
    signature = token.split(".", 1)[1]
    tampered = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        f"{b1.pk}.{signature}",  # another building with this plate's signature
        str(a1.pk),  # the bare id
    ]
    for bad in tampered:
        response = client.get(reverse("requests:doorplate", args=[bad]))
        assert response.status_code == 404
        assert a1.name not in response.content.decode()


def test_doorplate_shows_the_grid_team_with_masked_phones(hotline: Any, client: Client) -> None:
    c = hotline.city
    territory.position_create(
        actor=c.bob,
        node=c.grid_a1_1,
        post=Post.GRID_WORKER_FULLTIME,
        holder_name="王丽",
        start_date=date(2024, 1, 1),
        phone="13611112222",
    )
    page = client.get(reverse("requests:doorplate", args=[doorplate_token(c.building_a1)])).content.decode()
    assert "专职网格员" in page and "王丽" in page
    assert "136****2222" in page and "13611112222" not in page


def test_report_from_a_doorplate_is_located_at_the_building(hotline: Any, client: Client) -> None:
    c = hotline.city
    url = reverse("requests:doorplate", args=[doorplate_token(c.building_b1)])
    response = client.post(url, report(address="2单元楼道"))
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.channel == Channel.DOORPLATE
    assert request.building == c.building_b1 and request.node == c.building_b1
    assert request.address.startswith("梁溪区通江街道通江社区通江1号楼") and "2单元楼道" in request.address


def test_alarm_confirms_then_files_an_emergency_dispatched_by_the_rules(hotline: Any, client: Client) -> None:
    c = hotline.city
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(c.building_a1)])
    confirm = client.get(url).content.decode()
    assert "确认报警" in confirm and "110" in confirm and "119" in confirm and "120" in confirm
    assert not Request.objects.exists()
    response = client.post(url, {"confirm": "1", "phone": PHONE, "note": "楼道冒烟"}, follow=True)
    assert "报警信息已发出" in response.content.decode()
    request = Request.objects.get()
    assert (request.type, request.urgency) == (RequestType.EMERGENCY, Urgency.CRITICAL)
    assert request.title == "一键报警：胜利门1号楼"
    assert request.channel == Channel.DOORPLATE and request.node == c.building_a1
    assert "楼道冒烟" in request.content
    assert request.status == Status.DISPATCHED and request.lead_unit == hotline.sub_a_unit


def test_a_second_tap_on_the_same_alarm_form_files_no_second_alarm(hotline: Any, client: Client) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    confirm = client.get(url).content.decode()
    token = confirm.split('name="once_token" value="', 1)[1].split('"', 1)[0]
    posted = {"confirm": "1", "phone": PHONE, "once_token": token}
    assert client.post(url, posted).status_code == 302
    again = client.post(url, posted, follow=True)
    assert "您刚刚已报警" in again.content.decode()  # the first alarm's done page
    assert Request.objects.count() == 1


def test_the_h5_forms_know_the_photo_size_limit(hotline: Any, client: Client, settings: Any) -> None:
    """The browser checks a photo's size before uploading it (25 MB took 6 s to be refused)."""
    settings.REQUESTS_ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024
    for url in (
        reverse("requests:h5_submit"),
        reverse("requests:doorplate", args=[doorplate_token(hotline.city.building_a1)]),
    ):
        page = client.get(url).content.decode()
        assert f'data-max-bytes="{3 * 1024 * 1024}"' in page and "每张不超过3MB" in page


def test_alarm_with_no_matching_rule_waits_in_triage(hotline: Any, client: Client) -> None:
    DispatchRule.objects.update(is_active=False)
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    client.post(url, {"confirm": "1"})
    request = Request.objects.get()
    assert request.status == Status.RECEIVED and request.anonymous
    assert request.type == RequestType.EMERGENCY


def test_alarm_has_its_own_budget_apart_from_submissions(hotline: Any, client: Client, settings: Any) -> None:
    """Residents behind one address (shared Wi-Fi, carrier NAT) who used up the submissions
    still raise an alarm; alarms are bounded on their own (outside tester: refused 429)."""
    settings.REQUESTS_H5_SUBMIT_LIMIT = 2
    settings.REQUESTS_H5_ALARM_LIMIT = 2
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    assert submit(client).status_code == 302 and submit(client).status_code == 302
    assert submit(client).status_code == 429
    # Residents' own phones behind the same address (one browser is shown its alarm again).
    assert Client().post(url, {"confirm": "1"}).status_code == 302
    assert Client().post(url, {"confirm": "1"}).status_code == 302
    refused = Client().post(url, {"confirm": "1"})
    assert refused.status_code == 429 and "报警次数过多" in refused.content.decode()
    assert "110" in refused.content.decode()
    assert Request.objects.filter(type=RequestType.EMERGENCY).count() == 2
    assert Request.objects.count() == 4


def test_the_alarm_budget_is_generous_by_default(hotline: Any, client: Client) -> None:
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    for _ in range(10):
        assert submit(client).status_code == 302
    assert client.post(url, {"confirm": "1"}).status_code == 302


# ---------------------------------------------------------------- printing


def test_print_page_needs_login_and_scope(hotline: Any, client: Client) -> None:
    c = hotline.city
    url = reverse("requests:doorplate_print", args=[c.building_a1.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("web:login") in anonymous["Location"]
    client.force_login(c.carol)  # community worker of B1: outside A1
    assert client.get(url).status_code == 404
    client.force_login(c.bob)
    page = client.get(url).content.decode()
    assert "<svg" in page and c.building_a1.name in page and "梁溪区崇安寺街道胜利门社区" in page
    assert doorplate_token(c.building_a1) in page


def test_batch_print_has_every_building_under_the_node_in_few_queries(
    hotline: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    c = hotline.city
    for n in range(2, 9):
        territory.node_create(actor=c.sysadmin, kind="building", name=f"胜利门{n}号楼", parent=c.grid_a1_1)
    client.force_login(c.bob)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("requests:doorplate_batch", args=[c.comm_a1.pk])).content.decode()
    assert page.count('class="plate"') == 8
    assert page.index("胜利门1号楼") < page.index("胜利门2号楼") < page.index("胜利门8号楼")
    assert page.count('class="sheet grid"') == 2  # 6 plates to an A4 sheet
    assert "通江1号楼" not in page
    client.force_login(c.carol)
    assert client.get(reverse("requests:doorplate_batch", args=[c.comm_a1.pk])).status_code == 404


def test_place_names_are_not_repeated() -> None:
    assert join_place(["梁溪区", "胜利门花园", "胜利门花园1号楼"]) == "梁溪区胜利门花园1号楼"
    assert join_place(["梁溪区", "胜利门社区", "3号楼"]) == "梁溪区胜利门社区3号楼"


def test_qr_code_is_a_scalable_svg() -> None:
    svg = qr_svg("https://grid.example.gov.cn/requests/doorplate/1.abc/", label="一号楼")
    assert svg.startswith("<svg") and 'viewBox="' in svg and 'aria-label="一号楼"' in svg
    assert ' width="' not in svg.split(">", 1)[0]
