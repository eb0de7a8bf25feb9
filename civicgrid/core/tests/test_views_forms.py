"""core.views_forms: running a service from a form (``act``) and reading a posted form's
values, worded as core.validators words a refusal, for the property, party and volunteer pages."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import RequestFactory

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.core.views_forms import (
    act,
    date_or_none,
    decimal_or_none,
    int_or_none,
    pk_or_none,
    unlabelled,
    value,
)
from civicgrid.party.models import Project

LABELS = {"ends_on": "截止日期", "note": "备注"}


def posted(**data: str) -> HttpRequest:
    request = RequestFactory().post("/somewhere/", data)
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def said(request: HttpRequest) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in request._messages]  # type: ignore[attr-defined]


def refuse(exc: Exception) -> Any:
    def call() -> None:
        raise exc

    return call


TWO_FIELDS = ValidationError(errors={"ends_on": ["不能早于开始日期"], "note": ["最长200个字"]})


# --- act ------------------------------------------------------------------------------------------


def test_done_says_the_message_and_goes_back() -> None:
    request = posted()
    response = act(request, lambda: 1, "已保存", "/back/")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert said(request) == [("success", "已保存")]


def test_done_may_make_the_message_from_what_the_service_returned() -> None:
    request = posted()
    act(request, lambda: 3, lambda n: f"已加入{n}人", "/back/")
    assert said(request) == [("success", "已加入3人")]


def test_a_refusal_with_labels_names_each_field_by_its_label() -> None:
    request = posted()
    response = act(request, refuse(TWO_FIELDS), "已保存", "/back/", labels=LABELS)
    assert response["Location"] == "/back/"
    assert said(request) == [("error", "截止日期：不能早于开始日期；备注：最长200个字")]


def test_a_refusal_without_labels_says_its_reasons_never_the_field_codes() -> None:
    request = posted()
    act(request, refuse(TWO_FIELDS), "已保存", "/back/")
    assert said(request) == [("error", "不能早于开始日期；最长200个字")]


def test_a_refusal_with_no_fields_says_its_message() -> None:
    request = posted()
    act(request, refuse(Conflict("该记录已被他人修改")), "已保存", "/back/", labels=LABELS)
    assert said(request) == [("error", "该记录已被他人修改")]
    assert unlabelled(Conflict("该记录已被他人修改")) == "该记录已被他人修改"


def test_gone_sends_a_refusal_elsewhere_when_back_cannot_be_shown() -> None:
    request = posted()
    response = act(request, refuse(Conflict("已被他人接单")), "接单成功", "/order/1/", gone=lambda: "/hall/")
    assert response["Location"] == "/hall/" and said(request) == [("error", "已被他人接单")]
    request = posted()
    response = act(request, refuse(Conflict("已被他人接单")), "接单成功", "/order/1/", gone=lambda: None)
    assert response["Location"] == "/order/1/"


def test_gone_is_not_asked_after_a_success() -> None:
    def never() -> str:
        raise AssertionError("gone asked after a success")

    request = posted()
    assert act(request, lambda: None, "接单成功", "/order/1/", gone=never)["Location"] == "/order/1/"


# --- reading a posted form ------------------------------------------------------------------------


def test_value_is_the_posted_text_stripped() -> None:
    request = posted(note="  楼道灯  ")
    assert value(request, "note") == "楼道灯" and value(request, "absent") == ""


def test_a_day_is_read_or_refused_naming_the_field() -> None:
    assert date_or_none("2026-10-08", "ends_on", "截止日期") == date(2026, 10, 8)
    assert date_or_none(" ", "ends_on", "截止日期") is None
    with pytest.raises(ValidationError) as refused:
        date_or_none("2026-13-01", "ends_on", "截止日期")
    assert refused.value.errors == {"ends_on": ["截止日期应为有效日期，格式 YYYY-MM-DD，例如 2026-10-08"]}


@pytest.mark.parametrize(("raw", "number"), [("3", 3), ("３", 3), (" 12 ", 12), ("3.0", 3), ("", None)])
def test_a_whole_number_is_read(raw: str, number: int | None) -> None:
    assert int_or_none(raw, "beneficiaries", "受益人数", maximum=100) == number


@pytest.mark.parametrize("raw", ["abc", "²", "2.5", "-1", "101", "--1", "NaN", "1e400", "9" * 5000])
def test_what_is_no_whole_number_in_range_is_refused_as_whole_value_words_it(raw: str) -> None:
    with pytest.raises(ValidationError) as refused:
        int_or_none(raw, "beneficiaries", "受益人数", maximum=100)
    assert refused.value.errors == {"beneficiaries": ["受益人数应为0到100之间的整数"]}
    assert refused.value.message == "受益人数应为0到100之间的整数"


def test_a_decimal_is_read_as_its_column_keeps_it() -> None:
    budget = Project._meta.get_field("budget")
    assert decimal_or_none("1.50", "budget", "预算", column=budget) == Decimal("1.50")
    assert decimal_or_none("", "budget", "预算", column=budget) is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "预算应为数字"),
        ("NaN", "预算应为数字"),
        ("²", "预算应为数字"),
        ("1e30", "预算最多10位整数、2位小数"),
        ("12.345", "预算最多保留2位小数"),
        ("-5", "预算不能为负数"),
    ],
)
def test_a_decimal_its_column_cannot_keep_is_refused_as_decimal_value_words_it(raw: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        decimal_or_none(raw, "budget", "预算", column=Project._meta.get_field("budget"))
    assert refused.value.errors == {"budget": [reason]}


def test_a_decimal_may_be_bounded_without_a_column() -> None:
    assert decimal_or_none("-12.5", "lon", "经度", max_digits=5, decimal_places=2, minimum=None) == Decimal(
        "-12.50"
    )


@pytest.mark.parametrize(("raw", "pk"), [("7", 7), (" 7 ", 7), ("", None), ("abc", None), ("²", None)])
def test_a_picked_id_is_read_or_is_nothing_picked(raw: str, pk: int | None) -> None:
    assert pk_or_none(raw) == pk


@pytest.mark.parametrize("raw", ["0", "-3", "2.5", "99999999999999999999", "1e400"])
def test_an_id_no_key_can_have_is_nothing_picked(raw: str) -> None:
    assert pk_or_none(raw) is None
