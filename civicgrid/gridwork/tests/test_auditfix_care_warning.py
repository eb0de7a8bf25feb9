"""An overdue-visit warning never names the care category (sensitive personal information)."""

import logging
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from civicgrid.gridwork import services
from civicgrid.gridwork.models import CarePlan
from civicgrid.gridwork.tests.conftest import Field
from civicgrid.notify.models import Notification
from civicgrid.notify.services import outbox_drain

pytestmark = pytest.mark.django_db

CATEGORY = "严重精神障碍患者"  # i18n: data (a care category as the registry stores it)


@override_settings(NOTIFY_BACKENDS={"sms": "civicgrid.notify.backends.ConsoleBackend"})
def test_the_warning_says_care_object_and_the_log_has_no_body(field: Field, caplog: Any, capsys: Any) -> None:
    services.care_plans_generate(actor=field.city.bob, node=field.city.comm_a1)
    plan = CarePlan.objects.get(resident=field.lao_zhang)
    CarePlan.objects.filter(pk=plan.pk).update(
        groups=CATEGORY, next_due_on=timezone.localdate() - timedelta(days=2)
    )
    assert services.care_scan()["warnings"] == 1
    sms = Notification.objects.get(dedupe_key__startswith="gridwork:care:")
    assert CATEGORY not in sms.subject and CATEGORY not in sms.body
    assert "关爱对象" in sms.body and "张*国" in sms.body and "已超期2天" in sms.body
    with caplog.at_level(logging.INFO, logger="civicgrid.notify"):
        assert outbox_drain() >= 1
    said = caplog.text + capsys.readouterr().err
    assert "走访超期" in said and "张*国" in said  # the subject still tells who
    assert sms.body not in said and "已超期2天" not in said and CATEGORY not in said
