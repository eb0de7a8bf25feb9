"""重发's audit row keeps the failed message's last error as the outbox page shows it: a
mobile number a gateway wrote into its error text is masked there too."""

from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from civicgrid.conftest import City
from civicgrid.core.models import AuditLog
from civicgrid.notify.tests.test_outboxfix_outbox_page import MEMORY, _client, rows  # noqa: F401

pytestmark = pytest.mark.django_db


@override_settings(NOTIFY_BACKENDS=MEMORY)
def test_the_audit_row_masks_a_phone_in_the_error(
    city: City,
    rows: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _client(city.sysadmin).post(reverse("notify:retry", args=[rows[0].pk]))
    before = AuditLog.objects.get(verb="notify.retried").before or {}
    assert before["last_error"] == "网关说 138****5678 无效"
    assert "13812345678" not in str(before)
