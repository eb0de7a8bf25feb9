"""A refusal a person reads never names a field by its code ("description：请填写情况描述");
programs still find the codes in ``detail`` (the API) and ``errors`` (the services)."""

import re
from typing import Any

import pytest
from django.core.cache import cache

from civicgrid.api import _loc_name, worded
from civicgrid.core.errors import ValidationError
from civicgrid.requests.models import Request
from civicgrid.requests.tests import conftest as requests_fixtures
from civicgrid.requests.tests.test_api import Caller, intake_body

# An ASCII code right before the full-width colon: the wording the testers found.
hotline = requests_fixtures.hotline  # the requests app's fixture, used here too

CODE_THEN_REASON = re.compile(r"[A-Za-z_][A-Za-z0-9_.\[\]]*：")


def test_the_default_message_is_the_reasons_without_the_codes() -> None:
    exc = ValidationError(
        errors={"description": ["请填写情况描述"], "hours": ["服务时长应在0.5到24小时之间"]}
    )
    assert exc.message == "请填写情况描述；服务时长应在0.5到24小时之间"
    assert exc.errors == {"description": ["请填写情况描述"], "hours": ["服务时长应在0.5到24小时之间"]}
    assert exc.as_dict()["detail"] == exc.errors
    assert ValidationError(errors={"file": ["文件不是有效的 Excel（.xlsx）文件"]}).message == (
        "文件不是有效的 Excel（.xlsx）文件"
    )
    assert ValidationError("请填写标题", field="title").message == "请填写标题"


def test_where_a_parameter_came_from_is_not_part_of_its_name() -> None:
    assert _loc_name(["form", "lon"]) == "lon"
    assert _loc_name(["body", "payload", "lines", 0, "amount"]) == "lines[0].amount"
    assert _loc_name(["query", "page"]) == "page"
    assert worded([("经度", ["应为数字"]), ("", ["取值无效"])]) == "经度：应为数字；取值无效"
    assert worded([("分类", ["分类应为整数"])]) == "分类应为整数"


@pytest.fixture
def olivia(hotline: Any) -> Caller:
    cache.clear()
    return Caller(hotline.city.olivia)


@pytest.mark.django_db
def test_api_schema_errors_name_fields_by_their_title(hotline: Any, olivia: Caller) -> None:
    response = olivia.post("/", intake_body(hotline, anonymous="maybe", category_id="abc"))
    assert response.status_code == 422
    body = response.json()
    assert set(body["detail"]) == {"anonymous", "category_id"}
    assert body["message"] == "匿名应为 true 或 false；分类应为整数"
    assert not CODE_THEN_REASON.search(body["message"]), body["message"]
    assert not Request.objects.exists()


@pytest.mark.django_db
def test_api_intake_names_the_category_as_the_request_does(hotline: Any, olivia: Caller) -> None:
    """A category that is not a leaf of the current catalogue: the service says ``category``,
    the caller sent ``category_id``."""
    response = olivia.post("/", intake_body(hotline, category_id=hotline.lift.parent_id))
    assert response.status_code == 422
    body = response.json()
    assert "category_id" in body["detail"] and "category" not in body["detail"]
    assert body["message"] == "请选择当前派单目录中的三级分类"
    unknown = olivia.post("/", intake_body(hotline, category_id=999999, title="")).json()
    assert "category_id" in unknown["detail"] and "title" in unknown["detail"]
    assert not CODE_THEN_REASON.search(unknown["message"]), unknown["message"]
    assert not Request.objects.exists()


def test_the_error_page_names_no_field_code(client: Any, hotline: Any) -> None:
    """A NUL in the doorplate alarm's note is refused before any view runs; the resident saw
    "note：不能包含空字符（\\u0000）" on the error page. The page says the reason alone."""
    from django.urls import reverse

    from civicgrid.requests.doorplate import doorplate_token

    cache.clear()
    url = reverse("requests:doorplate_alarm", args=[doorplate_token(hotline.city.building_a1)])
    response = client.post(url, {"phone": "13912345678", "note": "x\x00y", "confirm": "1"})
    html = response.content.decode()
    assert response.status_code == 422 and "不能包含空字符" in html
    assert not CODE_THEN_REASON.search(html.split("<main", 1)[-1]), html
    assert not Request.objects.exists()
