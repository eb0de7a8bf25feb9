"""?month= is read strictly as YYYY-MM, as its error says: ``2026-1`` was taken for 2026-01 by
the rates and ranking pages and the ranking API (outside tester)."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core.errors import ValidationError
from civicgrid.requests.rates.figures import parse_month

pytestmark = pytest.mark.django_db

REASON = "月份格式应为 YYYY-MM，例如 2026-10"


@pytest.mark.parametrize(
    "raw", ["2026-1", "2026-001", "26-01", "2026-01-01", "2026/01", "２０２６-０１", "202601"]
)
def test_a_month_not_written_yyyy_mm_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_month(raw)
    assert refused.value.errors == {"month": [REASON]}


@pytest.mark.parametrize(("raw", "first"), [("2026-01", date(2026, 1, 1)), (" 2025-12 ", date(2025, 12, 1))])
def test_a_yyyy_mm_month_is_read(raw: str, first: date) -> None:
    assert parse_month(raw) == first


def test_a_month_00_or_13_keeps_the_format_message() -> None:
    for raw in ("2026-00", "2026-13"):
        with pytest.raises(ValidationError) as refused:
            parse_month(raw)
        assert refused.value.errors == {"month": [REASON]}


@pytest.mark.parametrize("page", ["requests:rates", "requests:ranking"])
def test_the_pages_refuse_a_one_digit_month(hotline: Any, page: str) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get(reverse(page), {"month": "2026-1"})
    assert response.status_code == 422
    assert REASON in response.content.decode()
    assert client.get(reverse(page), {"month": "2026-01"}).status_code == 200


def test_the_ranking_api_refuses_a_one_digit_month(hotline: Any) -> None:
    client = Client()
    client.force_login(hotline.city.dave)
    response = client.get("/api/v1/rates/ranking", {"month": "2026-1"})
    assert response.status_code == 422
    assert response.json()["detail"]["month"] == [REASON]
    good = client.get("/api/v1/rates/ranking", {"month": "2026-01"})
    assert good.status_code == 200 and good.json()["month"] == "2026-01"
