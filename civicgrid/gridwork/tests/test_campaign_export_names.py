"""A campaign named with characters Excel refuses in a sheet's name still exports."""

import io
from urllib.parse import unquote

import pytest
from django.test import Client
from openpyxl import load_workbook

from civicgrid.gridwork.models import Campaign
from civicgrid.gridwork.tests.conftest import Field
from civicgrid.gridwork.tests.test_campaigns import launch

pytestmark = pytest.mark.django_db


def test_a_campaign_with_a_slash_in_its_name_exports(field: Field) -> None:
    campaign = launch(field, name="2026/3月 入户走访")
    Campaign.objects.filter(pk=campaign.pk).update(name="2026/3月 入户走访[复查]:*?")
    client = Client()
    client.force_login(field.city.bob)

    response = client.get(f"/gridwork/campaigns/{campaign.pk}/export/")

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["专项任务_2026_3月 入户走访_复查____"]
    book.close()
    filename = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert filename.startswith("专项任务_2026_3月 入户走访[复查]___") and filename.endswith(".xlsx")
