"""Readable numbers (20261122-000123): per day, unique, and continuous with past writers."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from civicgrid.requests import services
from civicgrid.requests.models import Request, RequestCounter
from civicgrid.requests.services.intake import next_number, number_sequence, numbers_record, numbers_taken
from civicgrid.territory.tests.threads import postgres_only, run_at_once

pytestmark = pytest.mark.django_db
DAY = date(2031, 5, 6)  # a day nobody else numbers in the test database


def test_numbers_count_up_per_day() -> None:
    assert [next_number(DAY) for _ in range(3)] == ["20310506-000001", "20310506-000002", "20310506-000003"]
    assert next_number(date(2031, 5, 7)) == "20310507-000001"
    assert numbers_taken(DAY)[DAY] == 3


def test_live_numbers_continue_after_what_a_past_writer_recorded() -> None:
    numbers_record({DAY: 41})
    assert next_number(DAY) == "20310506-000042"
    numbers_record({DAY: 10})  # never lowers what was given
    assert next_number(DAY) == "20310506-000043"
    assert numbers_taken(DAY)[DAY] == 43


@postgres_only
def test_recording_never_sets_a_sequence_back_behind_live_intake(monkeypatch: pytest.MonkeyPatch) -> None:
    from civicgrid.requests.services import intake

    assert [next_number(DAY) for _ in range(12)][-1] == "20310506-000012"  # the live side
    # the writer read the day's numbers before those twelve were drawn
    monkeypatch.setattr(intake, "numbers_taken", lambda since: {DAY: 3})
    numbers_record({DAY: 7})
    assert next_number(DAY) == "20310506-000013"


def test_recording_never_lowers_a_counter_row_raised_meanwhile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two writers of past requests: the second read the day before the first raised it."""
    from civicgrid.requests.models import RequestCounter
    from civicgrid.requests.services import intake

    numbers_record({DAY: 41})
    monkeypatch.setattr(intake, "numbers_taken", lambda since: {})  # read before the 41
    numbers_record({DAY: 10})
    assert RequestCounter.objects.get(day=DAY).last == 41


def _drop_today_sequence() -> None:
    """Transactional tests commit: today's sequence outlives them unless dropped."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {number_sequence(timezone.localdate())}")


@pytest.fixture
def drop_day_sequence() -> Any:
    _drop_today_sequence()
    yield
    _drop_today_sequence()


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_intakes_get_distinct_numbers_without_waiting(
    hotline: Any, drop_day_sequence: Any
) -> None:
    RequestCounter.objects.create(day=timezone.localdate(), last=100)  # given before an upgrade

    def intake() -> str:
        return services.request_create(actor=hotline.city.olivia, data=hotline.new()).number

    numbers = run_at_once(*[intake for _ in range(8)], stagger=0)
    assert all(isinstance(n, str) for n in numbers), numbers
    sequence = sorted(int(n.split("-")[1]) for n in numbers)
    assert sequence == list(range(101, 109))
    assert Request.objects.count() == 8
