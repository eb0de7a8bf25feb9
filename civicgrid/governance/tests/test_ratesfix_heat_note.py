"""The hot issues' 热度 note says what the engine does with a falling issue: its growth counts
as 0 (``engine.heat``: max(growth, 0)), it is not cooled below its size. The page said only
"(1+0.5×增长)", which read as a negative factor."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from civicgrid.governance.engine import heat
from civicgrid.governance.tests.test_pages import lifts  # noqa: F401 - the fixture
from civicgrid.requests.tests.conftest import Hotline

pytestmark = pytest.mark.django_db

NOTE = "增长为负时按 0 计"


def test_negative_growth_counts_as_zero() -> None:
    falling = heat(count=2, previous=8, requesters=2, unsatisfied_share=0.0, votes=0)
    flat = heat(count=2, previous=None, requesters=2, unsatisfied_share=0.0, votes=0)
    assert falling == flat == 2.0


def test_the_page_says_so(hotline: Hotline, lifts: str) -> None:  # noqa: F811
    client = Client()
    client.force_login(hotline.city.dave)
    page = client.get("/governance/", {"node": str(hotline.city.district.pk), "month": lifts})
    assert page.status_code == 200
    html = page.content.decode()
    assert "热度 = (诉求数+诉求人数)/2" in html and NOTE in html


def test_the_formulas_say_so() -> None:
    formulas = (Path(settings.BASE_DIR).parent / "docs" / "formulas.md").read_text(encoding="utf-8")
    assert "热度" in formulas and NOTE in formulas
