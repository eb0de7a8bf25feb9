"""Dispatch rules: a name another active rule has is refused (history could not tell them
apart), an empty name says so once. Saved answers (知识库): the category prefix is checked as
a rule's is."""

from typing import Any

import pytest

from civicgrid.requests import units
from civicgrid.requests.admin import DispatchRuleForm, SavedAnswerForm
from civicgrid.requests.models import DispatchRule
from civicgrid.requests.tests.test_catalogue import BASE, publish

pytestmark = pytest.mark.django_db

TARGET = DispatchRule.Target.LOCATION_SUBDISTRICT


def _rule_form(name: str, instance: DispatchRule | None = None, **extra: Any) -> DispatchRuleForm:
    data = {"name": name, "priority": 100, "target": TARGET, "is_active": "on", **extra}
    return DispatchRuleForm(data=data, instance=instance)


def test_a_name_of_another_active_rule_is_refused(city: Any) -> None:
    shipped = DispatchRule.objects.create(name="目录指定责任单位", target=TARGET, priority=10)
    form = _rule_form("目录指定责任单位")
    assert not form.is_valid()
    assert form.errors["name"] == [
        "「规则名称」“目录指定责任单位”已被另一条启用中的规则（优先级 10）使用，"
        "派单记录中将无法区分，请换一个名称"
    ]
    assert _rule_form("目录指定责任单位", instance=shipped).is_valid(), form.errors  # its own name
    shipped.is_active = False
    shipped.save()
    assert _rule_form("目录指定责任单位").is_valid()  # a stopped rule's name may be taken again
    errors = units.rule_errors("目录指定责任单位", TARGET, None, "", None, None)
    assert errors == {}


def test_the_service_refuses_a_duplicate_name_too(city: Any) -> None:
    DispatchRule.objects.create(name="城管类", target=TARGET)
    assert "name" in units.rule_errors("城管类", TARGET, None, "", None, None)


def test_an_empty_name_says_so_once(city: Any) -> None:
    form = _rule_form("")
    assert not form.is_valid()
    assert len(form.errors["name"]) == 1


def _answer_form(prefix: str) -> SavedAnswerForm:
    data = {"title": "物业费标准", "content": "按合同约定", "category_prefix": prefix, "is_active": "on"}
    return SavedAnswerForm(data=data)


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        ("abc9", "分类编码前缀应为2、4或6位数字，如 01、0103"),
        ("9901", "当前派单目录中没有编码以 9901 开头的分类"),
    ],
)
def test_a_saved_answer_prefix_is_checked_as_a_rules(city: Any, prefix: str, reason: str) -> None:
    publish(city.sysadmin, BASE)
    form = _answer_form(prefix)
    assert not form.is_valid()
    assert form.errors["category_prefix"] == [reason]


def test_a_saved_answer_with_a_known_or_no_prefix_is_saved(city: Any) -> None:
    publish(city.sysadmin, BASE)
    assert _answer_form("0101").is_valid()
    assert _answer_form("").is_valid()
