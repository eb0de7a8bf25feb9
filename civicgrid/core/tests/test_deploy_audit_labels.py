"""An outside tester read raw keys in the audit log's before/after columns: "fields：
requester_name、requester_phone" on a requester's contact changed, and "members：" on a
handling unit's staff changed. Keys and listed fields read as Chinese words; a key nothing
is known of is still shown as stored."""

import pytest

from civicgrid.core.views_audit import change_items


@pytest.mark.django_db
def test_listed_fields_and_members_read_as_words() -> None:
    contact = change_items({"fields": ["requester_name", "requester_phone"]}, "requests.request")
    assert [(i.label, i.code, i.value) for i in contact] == [("涉及字段", "fields", "诉求人姓名、诉求人电话")]
    revealed = change_items({"fields": ["id_number", "phone"]}, "registry.resident")
    assert revealed[0].value == "身份证号、联系电话"
    members = change_items({"members": ["hank", "bob"]}, "requests.handlingunit")
    assert [(i.label, i.value) for i in members] == [("成员", "hank、bob")]
    # a model field listed reads as its own name; what nothing names stays as stored
    user = change_items({"fields": ["full_name", "mystery"], "mystery": 1}, "accounts.user")
    assert [(i.label, i.value) for i in user] == [("涉及字段", "姓名、mystery"), ("mystery", "1")]
