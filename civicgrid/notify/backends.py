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
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from civicgrid.core.env import envstr

log = logging.getLogger("civicgrid.notify")


@dataclass(frozen=True)
class Message:
    channel: str
    address: str  # phone, openid or e-mail address; may be empty for unit mailboxes
    recipient: str
    subject: str
    body: str
    idempotency_key: str


class Backend(Protocol):
    def send(self, message: Message) -> None: ...


class ConsoleBackend:
    def send(self, message: Message) -> None:
        line = f"[通知/{message.channel}] 致 {message.recipient}：{message.subject} — {message.body}"
        log.info(line)
        print(line, file=sys.stderr)


class MemoryBackend:
    """For tests: keeps what was sent."""

    outbox: list[Message] = []

    def send(self, message: Message) -> None:
        MemoryBackend.outbox.append(message)


class EmailBackend:
    def send(self, message: Message) -> None:
        if not message.address:
            raise ValueError("没有电子邮件地址")
        send_mail(message.subject, message.body, None, [message.address])


class HttpGatewayBackend:
    """POSTs JSON to an SMS or WeChat gateway of the local network.

    ``CIVICGRID_NOTIFY_GATEWAY_URL`` receives ``{channel, to, subject, body, idempotency_key}``
    and must answer 2xx; the idempotency key lets the gateway drop a repeated delivery.
    """

    def send(self, message: Message) -> None:
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
    path = settings.NOTIFY_BACKENDS.get(channel, "civicgrid.notify.backends.ConsoleBackend")
    backend: Backend = import_string(path)()
    return backend
