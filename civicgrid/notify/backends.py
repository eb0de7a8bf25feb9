"""Notification backends: one small interface, several channels.

A backend has ``send(message) -> None`` and raises on failure. The default prints to the
console (and the log), so a fresh install never talks to the outside. Production sets
``CIVICGRID_NOTIFY_SMS`` etc. to a gateway backend of the local network.
"""

import json
import logging
import sys
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from civicgrid.core.crypto import mask_phone
from civicgrid.core.env import envstr
from civicgrid.core.validators import normalise_phone

log = logging.getLogger("civicgrid.notify")
CONSOLE = "civicgrid.notify.backends.ConsoleBackend"


class UndeliverableAddress(ValueError):
    """The address is not one this channel or backend can deliver to (an SMS to an e-mail
    address, a mail to a phone, nothing at all): sending again cannot help, so the outbox
    marks the message failed at once, with this reason."""


def masked(address: str) -> str:
    """An address as a log line or ``last_error`` may show it: never a phone in clear."""
    return mask_phone(address)


def mobile_problem(address: str) -> str | None:
    """Why an SMS cannot go to ``address`` (a mainland mobile number), or None."""
    if not address:
        return gettext("没有手机号，无法发送短信")
    phone = normalise_phone(address)
    if phone is None or len(phone) != 11 or not phone.startswith("1"):
        return gettext("「{address}」不是中国大陆手机号，无法发送短信").format(address=masked(address))
    return None


def email_problem(address: str) -> str | None:
    """Why a mail cannot go to ``address`` (an e-mail address), or None."""
    if not address:
        return gettext("没有电子邮件地址")
    try:
        validate_email(address)
    except ValidationError:
        return gettext("「{address}」不是有效的电子邮件地址，无法发送邮件").format(address=masked(address))
    return None


def address_problem(channel: str, address: str) -> str | None:
    """Why a message of ``channel`` cannot go to ``address``, or None."""
    if channel == "sms":
        return mobile_problem(address)
    if channel == "email":
        return email_problem(address)
    if not address:
        return gettext("没有微信接收标识（openid），无法发送模板消息")
    return None


@dataclass(frozen=True)
class Message:
    channel: str
    address: str  # phone, openid or e-mail address (empty only for a console unit mailbox)
    recipient: str
    subject: str
    body: str
    idempotency_key: str


class Backend(Protocol):
    def send(self, message: Message) -> None: ...


class ConsoleBackend:
    """Prints instead of sending. Refuses an address of the wrong kind for the channel, as a
    real backend would; a message without an address (a unit mailbox) is printed."""

    def send(self, message: Message) -> None:
        if message.address and (problem := address_problem(message.channel, message.address)):
            raise UndeliverableAddress(problem)
        to = f"（{masked(message.address)}）" if message.address else ""
        # the subject only: a body may carry personal details that have no place in a log
        size = f"（正文{len(message.body)}字）"
        line = f"[通知/{message.channel}] 致 {message.recipient}{to}：{message.subject}{size}"
        log.info(line)
        print(line, file=sys.stderr)


class MemoryBackend:
    """For tests: keeps what was sent."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        MemoryBackend.outbox.append(message)


class EmailBackend:
    """Mails ``address``; whatever channel it serves, anything but an e-mail address (a phone
    number, nothing) is refused, never handed to the mail server."""

    def send(self, message: Message) -> None:
        if problem := email_problem(message.address):
            raise UndeliverableAddress(problem)
        send_mail(message.subject, message.body, None, [message.address])


class HttpGatewayBackend:
    """POSTs JSON to an SMS or WeChat gateway of the local network.

    ``CIVICGRID_NOTIFY_GATEWAY_URL`` receives ``{channel, to, subject, body, idempotency_key}``
    and must answer 2xx; the idempotency key lets the gateway drop a repeated delivery.
    """

    def send(self, message: Message) -> None:
        if problem := address_problem(message.channel, message.address):
            raise UndeliverableAddress(problem)
        url = envstr("CIVICGRID_NOTIFY_GATEWAY_URL")
        if not url:
            raise ValueError("未配置短信/微信网关地址 CIVICGRID_NOTIFY_GATEWAY_URL")
        body = json.dumps(
            {
                "channel": message.channel,
                "to": message.address,
                "subject": message.subject,
                "body": message.body,
                "idempotency_key": message.idempotency_key,
            },
            ensure_ascii=False,
        ).encode()
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
        with urllib.request.urlopen(req, timeout=10) as response:  # noqa: S310 - configured intranet gateway
            if response.status >= 300:
                raise ValueError(f"网关返回 {response.status}")


def backend_for(channel: str) -> Backend:
    path = settings.NOTIFY_BACKENDS.get(channel, CONSOLE)
    backend: Backend = import_string(path)()
    return backend


def channel_configured(channel: str) -> bool:
    """Whether messages of ``channel`` are meant to leave the system. SMS always is (the
    console prints it on a fresh install); e-mail and WeChat only once their backend is set
    (``CIVICGRID_NOTIFY_EMAIL``…) to something other than the console."""
    if channel == "sms":
        return True
    return settings.NOTIFY_BACKENDS.get(channel, CONSOLE) != CONSOLE
