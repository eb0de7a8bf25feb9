"""Django's own form messages in the product's wording (civicgrid/locale), dates in ISO form."""

import datetime

from django import forms
from django.utils import translation


class _Form(forms.Form):
    name = forms.CharField(max_length=5)
    count = forms.IntegerField(max_value=3)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def test_form_messages_read_as_the_product_speaks() -> None:
    with translation.override("zh-hans"):
        form = _Form({"name": "长" * 10, "count": "9", "day": "2026/11/23"})
        assert not form.is_valid()
        assert form.errors["name"] == ["最多 5 个字（现有 10 个）。"]  # not "确保该变量包含不超过…"
        assert form.errors["count"] == ["不能大于 3。"]
        assert form.cleaned_data["day"] == datetime.date(2026, 11, 23)  # still accepted as typed
        assert _Form({}).errors["name"] == ["此项必填。"]
        rendered = str(_Form(initial={"day": datetime.date(2026, 11, 23)})["day"])
        assert 'value="2026-11-23"' in rendered  # what <input type="date"> can show


def test_every_password_rule_speaks_chinese() -> None:
    """An outside tester got "This password is too short…" when an administrator set one."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    with translation.override("zh-hans"):
        reasons = []
        for validator in password_validation.get_default_password_validators():
            try:
                validator.validate("1234", None)
            except ValidationError as exc:
                reasons += exc.messages
        assert "密码太短，至少需要 8 个字符。" in reasons
        assert reasons and all(not r.isascii() and "password" not in r for r in reasons), reasons
