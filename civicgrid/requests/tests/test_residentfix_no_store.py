"""The resident H5's track and rate pages are sent ``Cache-Control: no-store``: after rating,
Back fetched the cached tracking page still saying 「已答复，请您评价」 with the form; the
pages hold personal data besides. The submit page keeps its own caching."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.requests.tests.test_resident import PHONE, served

pytestmark = pytest.mark.django_db


def _no_store(response: Any) -> bool:
    return "no-store" in [part.strip() for part in response.get("Cache-Control", "").split(",")]


def test_every_track_and_rate_answer_is_not_stored(hotline: Any, client: Client) -> None:
    request = served(hotline)
    track, rate = reverse("requests:h5_track"), reverse("requests:h5_rate", args=[request.rating_token])
    answers = {
        "track form": client.get(track),
        "track refused": client.post(track, {"number": request.number}),
        "track not found": client.post(track, {"number": request.number, "phone": "13900000000"}),
        "track result": client.post(track, {"number": request.number, "phone": PHONE}),
        "rate form": client.get(rate),
        "rate refused": client.post(rate, {"contacted": "yes"}),
        "rated": client.post(rate, {"contacted": "yes", "resolution": "solved", "satisfaction": "satisfied"}),
        "rated again": client.get(rate),
        "bad link": client.get(reverse("requests:h5_rate", args=["not-a-token"])),
    }
    assert "已答复，请您评价" in answers["track result"].content.decode()
    assert [answers[k].status_code for k in answers] == [200, 422, 404, 200, 200, 422, 302, 200, 404]
    assert [k for k, r in answers.items() if not _no_store(r)] == []
    # Back after rating fetches the page again: it now says the request was rated
    again = client.post(track, {"number": request.number, "phone": PHONE}).content.decode()
    assert "已答复，请您评价" not in again
