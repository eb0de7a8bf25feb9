"""The office forms (发起专项任务, 建立/调整关爱计划): a refusal shows the page again, status 422,
with what was typed and each reason on its field; fields are named in Chinese, never by code."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from civicgrid.gridwork import services
from civicgrid.gridwork.models import Campaign, CarePlan
from civicgrid.gridwork.tests.conftest import Field, audit_count

pytestmark = pytest.mark.django_db

CODES = ("ends_on：", "starts_on：", "name：", "kind：", "interval_days：", "assignee：", "note：", "grid：")


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(response: Any) -> str:
    return str(response.content.decode())


def no_codes(text: str) -> None:
    for code in CODES:
        assert code not in text, code


def label_of(text: str, name: str) -> str:
    """The ``<label>`` around the field called ``name``: its caption, input and errors."""
    at = text.index(f'name="{name}"')
    return text[text.rindex("<label>", 0, at) : text.index("</label>", at)]


def field_error(reason: str) -> str:
    return f'<span class="error field-error">{reason}</span>'


# Dates ahead of today (a campaign may not end before today): in 17 and 27 days, and one
# between today and the start for the end that comes before it.
START = (date.today() + timedelta(days=17)).isoformat()
END = (date.today() + timedelta(days=27)).isoformat()
END_BEFORE_START = (date.today() + timedelta(days=8)).isoformat()


def launch_data(field: Field, **kw: str) -> dict[str, Any]:
    data = {
        "name": "国家反诈中心APP入户核查",
        "kind": "anti_fraud",
        "area": str(field.city.comm_a1.pk),
        "target": "household",
        "starts_on": START,
        "ends_on": END,
        "checklist": "已安装APP|是否|必填",
        "description": "逐户核查",
    }
    data.update(kw)
    return data


def test_a_campaign_ending_before_it_starts_comes_back_with_what_was_typed(field: Field) -> None:
    before = audit_count()
    answer = browser(field.city.bob).post(
        "/gridwork/campaigns/launch/", launch_data(field, ends_on=END_BEFORE_START, description="第一批核查")
    )
    assert answer.status_code == 422
    form = answer.context["launch_form"]
    assert form.errors["ends_on"] == ["截止日期不能早于开始日期"]
    assert form["name"].value() == "国家反诈中心APP入户核查" and form["description"].value() == "第一批核查"
    assert "截止日期：截止日期不能早于开始日期" in page(answer)
    text = page(answer)
    assert 'value="国家反诈中心APP入户核查"' in label_of(text, "name")
    assert ">\n第一批核查</textarea>" in label_of(text, "description")
    ends = label_of(text, "ends_on")
    assert ends.startswith("<label>截止") and f'value="{END_BEFORE_START}"' in ends
    assert field_error("截止日期不能早于开始日期") in ends and 'aria-invalid="true"' in ends
    assert f'value="{START}"' in label_of(text, "starts_on") and "field-error" not in label_of(
        text, "starts_on"
    )
    assert f'value="{field.city.comm_a1.pk}" selected' in label_of(text, "area")
    assert 'value="anti_fraud" selected' in label_of(text, "kind")
    assert ">\n已安装APP|是否|必填</textarea>" in label_of(text, "checklist")
    no_codes(text)
    assert not Campaign.objects.exists() and audit_count() == before


def test_the_launch_form_starts_from_the_defaults(field: Field) -> None:
    answer = browser(field.city.bob).get("/gridwork/campaigns/")
    assert answer.status_code == 200
    text = page(answer)
    today = date.today()
    assert f'value="{today.isoformat()}"' in label_of(text, "starts_on")
    assert f'value="{(today + timedelta(days=14)).isoformat()}"' in label_of(text, "ends_on")
    assert 'value="epidemic" selected' in label_of(text, "kind")
    assert 'value="household" selected' in label_of(text, "target")
    assert ">\n</textarea>" in label_of(text, "description")
    assert "field-error" not in text and "aria-invalid" not in text
    assert label_of(text, "checklist").count("|必填") >= 1  # the epidemic checklist, before any typing


def test_a_campaign_without_name_and_with_an_unknown_kind_names_both_fields(field: Field) -> None:
    answer = browser(field.city.bob).post(
        "/gridwork/campaigns/launch/", launch_data(field, name="", kind="奇怪")
    )
    assert answer.status_code == 422
    form = answer.context["launch_form"]
    assert form.errors["name"] == ["任务名称不能为空且不超过100个字"]
    assert form.errors["kind"] == ["任务类型取值无效"]
    assert "任务名称：" in page(answer) and "任务类型：" in page(answer)
    no_codes(page(answer))
    assert not Campaign.objects.exists()


def test_a_campaign_with_bad_dates_an_unknown_area_and_a_bad_checklist(field: Field) -> None:
    data = launch_data(field, starts_on="明天", ends_on="", area="999999", checklist="门锁|奇怪")
    answer = browser(field.city.bob).post("/gridwork/campaigns/launch/", data)
    assert answer.status_code == 422
    form = answer.context["launch_form"]
    assert form.errors["starts_on"] == ["应为日期（YYYY-MM-DD）"]
    assert form.errors["ends_on"] == ["请填写截止日期"]
    assert form.errors["checklist"] == ["第1行：类型只能是 是否、数字 或 文字"]
    assert form.errors["area"] == ["区域不存在或您无权查看"]
    assert form["checklist"].value() == "门锁|奇怪"
    text = page(answer)
    assert "开始日期：" in text and "任务范围：" in text and "检查清单：" in text
    no_codes(text)
    assert not Campaign.objects.exists()


def test_a_campaign_launched_from_the_page(field: Field) -> None:
    answer = browser(field.city.bob).post("/gridwork/campaigns/launch/", launch_data(field))
    assert answer.status_code == 302 and answer["Location"] == "/gridwork/campaigns/"
    assert Campaign.objects.get().description == "逐户核查"


@pytest.fixture
def plan(field: Field) -> CarePlan:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    return CarePlan.objects.get(resident=field.lao_zhang)


def test_a_care_plan_update_with_a_bad_period_and_an_unknown_assignee(field: Field, plan: CarePlan) -> None:
    before, audits = CarePlan.objects.values().get(pk=plan.pk), audit_count()
    answer = browser(field.city.bob).post(
        f"/gridwork/care/{plan.pk}/update/", {"interval_days": "abc", "assignee": "999999", "note": "按月"}
    )
    assert answer.status_code == 422
    form = answer.context["update_form"]
    assert form.errors["interval_days"] == ["应为整数"] and form.errors["assignee"] == ["账号不存在"]
    assert form["interval_days"].value() == "abc" and form["note"].value() == "按月"
    assert "走访周期：应为整数" in page(answer) and "走访人：账号不存在" in page(answer)
    text = page(answer)
    period = label_of(text, "interval_days")
    assert 'value="abc"' in period and field_error("应为整数") in period
    assert field_error("账号不存在") in label_of(text, "assignee")
    assert 'value="按月"' in label_of(text, "note") and "field-error" not in label_of(text, "note")
    no_codes(text)
    assert CarePlan.objects.values().get(pk=plan.pk) == before and audit_count() == audits


def test_a_care_plan_update_refused_by_the_service(field: Field, plan: CarePlan) -> None:
    before = CarePlan.objects.values().get(pk=plan.pk)
    answer = browser(field.city.bob).post(
        f"/gridwork/care/{plan.pk}/update/", {"interval_days": "400", "assignee": "", "note": "长" * 300}
    )
    assert answer.status_code == 422
    form = answer.context["update_form"]
    assert form.errors["interval_days"] == ["走访周期应在1到365天之间"]
    assert form.errors["note"] == ["备注最长255个字"]
    assert form["note"].value() == "长" * 300
    assert "备注：备注最长255个字" in page(answer)
    text = page(answer)
    period = label_of(text, "interval_days")
    assert 'value="400"' in period and field_error("走访周期应在1到365天之间") in period
    note = label_of(text, "note")
    assert f'value="{"长" * 300}"' in note and field_error("备注最长255个字") in note
    assert f"每{plan.interval_days}天" in text  # the plan as stored, beside what was typed
    no_codes(text)
    assert CarePlan.objects.values().get(pk=plan.pk) == before


def test_a_care_plan_updated_from_the_page(field: Field, plan: CarePlan) -> None:
    answer = browser(field.city.bob).post(
        f"/gridwork/care/{plan.pk}/update/", {"interval_days": "10", "note": "按旬"}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/gridwork/care/{plan.pk}/"
    plan.refresh_from_db()
    assert plan.interval_days == 10 and plan.note == "按旬"


def test_a_care_plan_made_by_hand_needs_a_resident(field: Field) -> None:
    answer = browser(field.city.bob).post("/gridwork/care/create/", {"resident": "", "interval_days": "7"})
    assert answer.status_code == 422
    assert answer.context["create_form"].errors["resident"] == ["请选择居民"]
    assert "居民：请选择居民" in page(answer)
    assert field_error("请选择居民") in label_of(page(answer), "resident")
    assert 'value="7"' in label_of(page(answer), "interval_days")
    assert not CarePlan.objects.exists()


def test_a_button_refused_names_the_field_in_chinese(field: Field) -> None:
    campaign = services.campaign_launch(
        actor=field.city.bob,
        area=field.city.comm_a1,
        name="消防检查",
        kind="fire_safety",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=7),
    )
    answer = browser(field.city.bob).post(
        f"/gridwork/campaigns/{campaign.pk}/assign/", {"grid": "999999"}, follow=True
    )
    text = page(answer)
    assert "网格：网格不存在或您无权查看" in text
    no_codes(text)
