"""GeoJSON import errors name the feature by its own code (or name), not only its position."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.conftest import square
from civicgrid.exchange.models import ImportKind, ImportStatus
from civicgrid.exchange.tests.conftest import RunImport

pytestmark = pytest.mark.django_db

BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def geojson(*properties: dict[str, Any]) -> bytes:
    features = [
        {"type": "Feature", "properties": p, "geometry": g}
        for p, g in zip(properties, [square(120.3, 31.57, 120.31, 31.58), BOWTIE, BOWTIE], strict=False)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_each_geojson_error_names_the_feature_by_code_or_name(
    city: Any, run_import: RunImport, client: Client
) -> None:
    job = run_import(
        city.bob,
        ImportKind.GEOMETRY,
        "grids.geojson",
        geojson(
            {"code": city.grid_a1_1.code},
            {"code": city.grid_a1_2.code, "name": "胜利门二网格"},
            {"name": "无编码网格"},
        ),
    )
    assert job.status == ImportStatus.FAILED
    labels = {e["row"]: e.get("label") for e in job.errors}
    assert labels == {2: city.grid_a1_2.code, 3: "无编码网格"}
    client.force_login(city.bob)
    page = client.get(reverse("exchange:import_progress", args=[job.pk])).content.decode()
    assert f"第 2 个（{city.grid_a1_2.code}）" in page
    assert "第 3 个（无编码网格）" in page
