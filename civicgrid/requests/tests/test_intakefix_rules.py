"""One rule per intake check, on the console and through the API alike (outside tester): a
community or grid worker files only under their own channels and at buildings of their own
area; invisible-only text is empty; a refusal has one wording; full-width digits are read in
coordinates; a confidential caller's follow-up names nobody to the handling unit; the console
offers a community worker neither 直接办结 nor 派单; a PNG sent as a JPEG is taken as a PNG."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from civicgrid.core.models import AuditLog
from civicgrid.core.tests import images
from civicgrid.requests import services
from civicgrid.requests.models import Attachment, Request, RequestEvent
from civicgrid.requests.services.intake import validate_attachments
from civicgrid.requests.tests.test_api import Caller, intake_body
from civicgrid.requests.tests.test_pages import CONSOLE, console_post, login, page

pytestmark = pytest.mark.django_db


def _field_error(html: str, field: str) -> str:
    marker = f'id="id_{field}_error"'
    assert marker in html, field
    return html[html.index(marker) :].split("</", 1)[0]


def _nothing_written() -> None:
    assert not Request.objects.exists()
    assert not AuditLog.objects.filter(verb="requests.received").exists()


# ------------------------------------------------------------------ 1. channels by role


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_api_refuses_a_workers_hotline_filing_on_channel(hotline: Any, who: str) -> None:
    api = Caller(getattr(hotline.city, who))
    refused = api.post("/", intake_body(hotline, channel="hotline"))
    assert refused.status_code == 422
    reason = refused.json()["detail"]["channel"][0]
    assert "12345热线" in reason and "不能登记" in reason
    _nothing_written()


def test_the_api_takes_a_workers_own_channel_and_the_operators_hotline(hotline: Any) -> None:
    own = Caller(hotline.city.alice).post("/", intake_body(hotline, channel="grid_worker"))
    assert own.status_code == 201 and own.json()["channel"] == "grid_worker"
    visit = Caller(hotline.city.bob).post("/", intake_body(hotline, channel="walk_in", title="路灯不亮"))
    assert visit.status_code == 201
    call = Caller(hotline.city.olivia).post("/", intake_body(hotline, channel="hotline", title="噪音"))
    assert call.status_code == 201 and call.json()["channel"] == "hotline"


def test_the_service_refuses_it_whoever_calls_it(hotline: Any) -> None:
    from civicgrid.core.errors import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.request_create(actor=hotline.city.bob, data=hotline.new(channel="message_board"))
    assert list(exc.value.errors) == ["channel"]
    _nothing_written()


# ------------------------------------------------------------------ 3. buildings of the area


def test_the_api_refuses_a_building_outside_the_workers_area(hotline: Any) -> None:
    api = Caller(hotline.city.bob)  # 胜利门社区; 通江1号楼 is 通江社区's
    body = intake_body(hotline, channel="walk_in", building_id=hotline.city.building_b1.pk)
    refused = api.post("/", body)
    assert refused.status_code == 422
    assert refused.json()["detail"]["building_id"] == ["楼栋不存在或不在您的辖区"]
    _nothing_written()
    own = api.post("/", intake_body(hotline, channel="walk_in", building_id=hotline.city.building_a1.pk))
    assert own.status_code == 201


def test_the_console_and_the_service_say_the_same_of_that_building(client: Client, hotline: Any) -> None:
    from civicgrid.core.errors import ValidationError

    login(client, hotline.city.bob)
    refused = client.post(
        CONSOLE, console_post(hotline, channel="walk_in", building=hotline.city.building_b1.pk)
    )
    assert refused.status_code == 422
    assert "楼栋不存在或不在您的辖区" in page(refused)
    with pytest.raises(ValidationError) as exc:
        services.request_create(
            actor=hotline.city.bob, data=hotline.new(channel="walk_in", building=hotline.city.building_b1)
        )
    assert exc.value.errors["building"] == ["楼栋不存在或不在您的辖区"]
    _nothing_written()


# ------------------------------------------------------------------ 4 and 5. text and numbers


INVISIBLE = "\u200b\u200c\u200d\ufeff"


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"title": ""}, "title", "请填写标题"),
        ({"title": INVISIBLE}, "title", "请填写标题"),
        ({"content": f" {INVISIBLE} "}, "content", "请填写诉求内容"),
        ({"content": "长" * 20000}, "content", "诉求内容最长5000个字（现有20000个字）"),
        ({"title": "题" * 201}, "title", "标题最长200个字（现有201个字）"),
        ({"requester_name": "名" * 51}, "requester_name", "姓名最长50个字（现有51个字）"),
    ],
)
def test_console_and_api_refuse_alike(
    client: Client, hotline: Any, changes: dict[str, str], field: str, reason: str
) -> None:
    login(client, hotline.city.olivia)
    refused = client.post(CONSOLE, console_post(hotline, **changes))
    assert refused.status_code == 422
    assert _field_error(page(refused), field).endswith(reason)
    by_api = Caller(hotline.city.olivia).post("/", intake_body(hotline, **changes))
    assert by_api.status_code == 422 and by_api.json()["detail"][field] == [reason]
    _nothing_written()


def test_full_width_coordinates_are_read_on_both(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    done = client.post(CONSOLE, console_post(hotline, lon="１２０.３０５", lat="３１.５７５"))
    assert done.status_code == 302
    body = intake_body(hotline, lon="１２０.３０６", lat="３１.５７６", title="另一件")
    by_api = Caller(hotline.city.olivia).post("/", body)
    assert by_api.status_code == 201, by_api.content
    lons = list(Request.objects.order_by("pk").values_list("lon", flat=True))
    assert lons == [pytest.approx(120.305), pytest.approx(120.306)]


def test_a_coordinate_that_is_no_number_is_worded_alike(client: Client, hotline: Any) -> None:
    login(client, hotline.city.olivia)
    refused = client.post(CONSOLE, console_post(hotline, lon="东经120"))
    assert _field_error(page(refused), "lon").endswith("经度应为数字")
    by_api = Caller(hotline.city.olivia).post("/", intake_body(hotline, lon="东经120"))
    assert by_api.json()["detail"]["lon"] == ["经度应为数字"]


# ------------------------------------------------------------------ 2. confidential follow-up


def test_a_confidential_callers_follow_up_names_nobody_to_the_unit(client: Client, hotline: Any) -> None:
    target = services.request_create(
        actor=hotline.city.olivia,
        data=hotline.new(requester_name="钱保密", requester_phone="13600003333", confidential=True),
    )
    login(client, hotline.city.olivia)
    post = console_post(
        hotline,
        follow=str(target.pk),
        requester_name="钱保密",
        requester_phone="13600003333",
        confidential="on",
        title="",
        content="催办",
    )
    assert client.post(CONSOLE, post).status_code == 302
    note = RequestEvent.objects.filter(request=target).latest("id").note
    assert "来电人要求保密" in note and "钱" not in note and "3333" not in note
    target.refresh_from_db()
    assert target.lead_unit is not None
    unit_member = target.lead_unit.memberships.get().user
    shown = page(login(Client(), unit_member).get(f"/requests/{target.pk}/"))
    assert "催办" in shown and "钱*" not in shown and "136****3333" not in shown


def test_a_follow_up_of_a_confidential_request_names_nobody_even_unticked(
    client: Client, hotline: Any
) -> None:
    target = services.request_create(actor=hotline.city.olivia, data=hotline.new(confidential=True))
    login(client, hotline.city.olivia)
    post = console_post(hotline, follow=str(target.pk), title="", content="还没修")
    assert client.post(CONSOLE, post).status_code == 302
    note = RequestEvent.objects.filter(request=target).latest("id").note
    assert "来电人要求保密" in note and "张*" not in note and "5678" not in note


def test_an_ordinary_follow_up_still_names_the_caller_masked(client: Client, hotline: Any) -> None:
    target = services.request_create(actor=hotline.city.olivia, data=hotline.new())
    login(client, hotline.city.olivia)
    post = console_post(hotline, follow=str(target.pk), title="", content="还没修")
    assert client.post(CONSOLE, post).status_code == 302
    assert "138****5678" in RequestEvent.objects.filter(request=target).latest("id").note


# ------------------------------------------------------------------ 6. what the role offers


def test_a_community_worker_is_not_offered_direct_close_or_dispatch(client: Client, hotline: Any) -> None:
    html = page(login(client, hotline.city.bob).get(CONSOLE))
    assert 'name="direct_close"' not in html and "登记并派单" not in html
    assert 'id="direct-close"' in html  # the script's placeholder
    operator = page(login(Client(), hotline.city.olivia).get(CONSOLE))
    assert 'name="direct_close"' in operator and "登记并派单" in operator


# ------------------------------------------------------------------ 7. a PNG named .jpg


def test_a_png_sent_as_a_jpeg_is_taken_as_a_png(hotline: Any) -> None:
    upload = SimpleUploadedFile("现场.jpg", images.PNG, content_type="image/jpeg")
    assert validate_attachments([upload]) == {}
    created = services.request_create(actor=hotline.city.olivia, data=hotline.new(), attachments=[upload])
    kept = Attachment.objects.get(request=created)
    assert kept.content_type == "image/png" and kept.name == "现场.jpg"


def test_a_cut_png_sent_as_a_jpeg_is_called_damaged_and_text_is_refused_by_type() -> None:
    cut = SimpleUploadedFile("现场.jpg", images.PNG[: len(images.PNG) // 2], content_type="image/jpeg")
    damaged = "现场.jpg：文件已损坏或不完整，无法读取，请重新上传"
    assert validate_attachments([cut])["attachments"] == [damaged]
    text = SimpleUploadedFile("说明.jpg", b"just some text, not an image", content_type="image/jpeg")
    assert validate_attachments([text])["attachments"] == ["说明.jpg：只接受 JPG、PNG、WEBP 图片或 PDF"]
