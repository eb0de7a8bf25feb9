"""The e-mail backend's mail server comes from the environment, like every other setting."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from civicgrid.notify.backends import EmailBackend, Message

_SCRIPT = (
    "import json; from civicgrid import settings as s; print(json.dumps([s.EMAIL_HOST, s.EMAIL_PORT, "
    "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, "
    "s.DEFAULT_FROM_EMAIL, s.SERVER_EMAIL]))"
)


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIVICGRID_EMAIL_")}
    return subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", _SCRIPT], env={**clean, **env}, capture_output=True, text=True, check=False
    )


def test_mail_server_settings_are_read_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "mail-password"
    secret.write_text("s3cret\n", encoding="utf-8")
    out = _settings(
        CIVICGRID_EMAIL_HOST="mail.example.gov.cn",
        CIVICGRID_EMAIL_PORT="465",
        CIVICGRID_EMAIL_USER="civicgrid",
        CIVICGRID_EMAIL_PASSWORD_FILE=str(secret),
        CIVICGRID_EMAIL_USE_SSL="1",
        CIVICGRID_EMAIL_TIMEOUT="5",
        CIVICGRID_EMAIL_FROM="网格平台 <noreply@example.gov.cn>",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        "mail.example.gov.cn", 465, "civicgrid", "s3cret", False, True, 5,
        "网格平台 <noreply@example.gov.cn>", "网格平台 <noreply@example.gov.cn>",
    ]  # fmt: skip


def test_mail_server_defaults_to_the_local_smtp_port() -> None:
    out = _settings()
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])[:7] == ["localhost", 25, "", "", False, False, 10]


def test_tls_and_ssl_together_are_refused_at_start() -> None:
    out = _settings(CIVICGRID_EMAIL_USE_TLS="1", CIVICGRID_EMAIL_USE_SSL="true")
    assert out.returncode != 0
    assert "CIVICGRID_EMAIL_USE_TLS" in out.stderr


@pytest.mark.django_db
def test_email_backend_sends_from_the_configured_address(settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "noreply@example.gov.cn"
    message = Message(
        channel="email",
        address="resident@example.com",
        recipient="",
        subject="回访",
        body="您好",
        idempotency_key="k1",
    )
    EmailBackend().send(message)
    assert [(m.from_email, m.to, m.subject) for m in mail.outbox] == [
        ("noreply@example.gov.cn", ["resident@example.com"], "回访")
    ]
