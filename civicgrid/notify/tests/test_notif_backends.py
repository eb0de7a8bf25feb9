"""Each backend refuses an address of the wrong kind: failed at once with the reason, never sent."""

from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from civicgrid.notify.backends import (
    ConsoleBackend,
    EmailBackend,
    HttpGatewayBackend,
    Message,
    UndeliverableAddress,
)
from civicgrid.notify.models import Channel, Notification, State
from civicgrid.notify.services import notify, outbox_drain

pytestmark = pytest.mark.django_db
EMAIL = "civicgrid.notify.backends.EmailBackend"
PHONE = "18097059398"


def _queue(key: str, channel: str, address: str) -> Notification:
    with transaction.atomic():
        row = notify(dedupe_key=key, channel=channel, subject="提醒", body="内容", address=address)
    assert row is not None
    row.refresh_from_db()
    return row


def _message(channel: str, address: str) -> Message:
    return Message(
        channel=channel, address=address, recipient="", subject="提醒", body="内容", idempotency_key="k"
    )


@override_settings(NOTIFY_BACKENDS={"sms": EMAIL})
def test_an_sms_channel_pointed_at_email_never_mails_a_phone_number() -> None:
    row = _queue("k1", Channel.SMS, PHONE)
    assert outbox_drain() == 0
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == 1  # at once: no retry fixes the address
    assert "不是有效的电子邮件地址" in row.last_error
    assert PHONE not in row.last_error and "180****9398" in row.last_error
    assert mail.outbox == []
    assert outbox_drain() == 0  # and it stays failed


@pytest.mark.parametrize("address", ["", PHONE, "张三", "a@b"])
def test_the_email_backend_refuses_what_is_not_an_email_address(address: str) -> None:
    with pytest.raises(UndeliverableAddress):
        EmailBackend().send(_message(Channel.EMAIL, address))
    assert mail.outbox == []


@override_settings(NOTIFY_BACKENDS={"email": EMAIL})
def test_an_email_goes_to_an_email_address() -> None:
    row = _queue("k2", Channel.EMAIL, "dora@example.gov.cn")
    assert outbox_drain() == 1
    row.refresh_from_db()
    assert row.state == State.SENT
    assert [m.to for m in mail.outbox] == [["dora@example.gov.cn"]]


@pytest.mark.parametrize(
    "address", ["0510-82345678", "dora@example.gov.cn", "12345678901", "+1 415 555 0100"]
)
def test_an_sms_to_what_is_not_a_mainland_mobile_fails_with_the_reason(address: str) -> None:
    row = _queue("k3", Channel.SMS, address)
    assert outbox_drain() == 0
    row.refresh_from_db()
    assert row.state == State.FAILED and "不是中国大陆手机号" in row.last_error
    with pytest.raises(UndeliverableAddress, match="不是中国大陆手机号"):
        ConsoleBackend().send(_message(Channel.SMS, address))


def test_the_sms_gateway_refuses_a_missing_or_wrong_number_before_posting() -> None:
    with pytest.raises(UndeliverableAddress, match="没有手机号"):
        HttpGatewayBackend().send(_message(Channel.SMS, ""))
    with pytest.raises(UndeliverableAddress, match="不是中国大陆手机号"):
        HttpGatewayBackend().send(_message(Channel.SMS, "0510-82345678"))
    with pytest.raises(UndeliverableAddress, match="openid"):
        HttpGatewayBackend().send(_message(Channel.WECHAT, ""))


def test_a_mobile_number_is_sent_and_printed_masked(capsys: Any) -> None:
    row = _queue("k4", Channel.SMS, "+86 180 9705 9398")
    assert outbox_drain() == 1
    row.refresh_from_db()
    assert row.state == State.SENT
    err = capsys.readouterr().err
    assert "180****9398" in err and "9705" not in err
