"""Two system administrators editing one year at once (PostgreSQL): the first to lock wins,
the other gets a conflict and nothing of either is lost."""

import time
from datetime import date
from typing import Any

import pytest

from civicgrid.core.errors import Conflict
from civicgrid.territory.tests.threads import postgres_only, run_at_once, slow_audit
from civicgrid.workcal import services
from civicgrid.workcal.models import CalendarDay
from civicgrid.workcal.selectors import year_version

SPRING_FESTIVAL = "2027-02-06 至 2027-02-14 休 春节\n2027-02-20 班 春节调休\n"


def slow_bulk_audit(monkeypatch: pytest.MonkeyPatch, seconds: float = 0.4) -> None:
    real = services.audit_write_many

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "audit_write_many", slow)


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_pages_showing_the_same_year_one_wins_the_other_is_told(
    city: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_audit(monkeypatch, services)
    slow_bulk_audit(monkeypatch)
    seen = year_version(2027)
    results = run_at_once(
        lambda: services.calendar_days_import(
            actor=city.sysadmin,
            text=SPRING_FESTIVAL,
            year=2027,
            confirm=True,
            few_ok=True,
            expected_version=seen,
        ),
        lambda: services.calendar_day_set(
            actor=city.sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦", expected_version=seen
        ),
    )
    # The import is started a little ahead, but on a busy machine the single day may still
    # take the year's lock first: whichever got it wins, and only the loser is told.
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    if isinstance(results[1], Conflict):
        assert results[0].set == 6
        assert CalendarDay.objects.filter(date__year=2027).count() == 6
        assert not CalendarDay.objects.filter(date=date(2027, 1, 1)).exists()
    else:
        assert results[1].date == date(2027, 1, 1)
        assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [
            date(2027, 1, 1)
        ]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_without_a_page_both_land(city: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    slow_bulk_audit(monkeypatch)
    results = run_at_once(
        lambda: services.calendar_days_import(actor=city.sysadmin, text=SPRING_FESTIVAL),
        lambda: services.calendar_days_import(actor=city.sysadmin, text="2027-01-01 休 元旦\n"),
    )
    assert [r.set for r in results] == [6, 1]
    assert CalendarDay.objects.filter(date__year=2027).count() == 7
