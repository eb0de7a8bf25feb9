"""The commands of the schedule: governance_tick, governance_propose, governance_hot."""

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from civicgrid.governance.models import HotIssueRun, RequestTerms, SpikeAlert
from civicgrid.governance.tests.test_hot_issues import LIFT, month_at
from civicgrid.requests.models import Request
from civicgrid.requests.rates.cells import current_month
from civicgrid.requests.rates.figures import add_months
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_tick_indexes_words_and_raises_spikes(hotline: Hotline, make: Callable[..., Request]) -> None:
    now = timezone.now()
    for i in range(6):
        make("水管爆裂停水", "外面水管爆了", at=now - timedelta(minutes=i + 1), category=hotline.water_outage)
    out = run("governance_tick")
    assert "分词 6 件" in out and "新预警 1 条" in out
    assert RequestTerms.objects.count() == 6 and SpikeAlert.objects.count() == 1
    assert "新预警 0 条" in run("governance_tick", "--index-all")


def test_hot_and_propose_commands(hotline: Hotline, make: Callable[..., Request]) -> None:
    for i, (title, content) in enumerate(LIFT):
        make(title, content, at=month_at(-1, 3 + i))
    month = f"{add_months(current_month(), -1):%Y-%m}"
    out = run("governance_hot", "--node", hotline.city.district.code, "--month", month)
    assert "电梯" in out and HotIssueRun.objects.count() == 1
    with pytest.raises(CommandError):
        run("governance_hot", "--node", "nope", "--month", month)
    with pytest.raises(CommandError):
        run("governance_hot", "--node", hotline.city.district.code, "--month", "2026-13")
    assert "新建议 0 条" in run("governance_propose", "--today", "2026-09-15")
    with pytest.raises(CommandError):
        run("governance_propose", "--today", "15/09/2026")
