"""Party imports read a workbook's sheets as every import does (``exchange.workbook``)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.exchange.tests.test_sheets import workbook
from civicgrid.party.importers import PartyImportKind
from civicgrid.party.models import PartyMember
from civicgrid.party.services.imports import party_import
from civicgrid.party.tests.conftest import PartyWorld
from civicgrid.party.tests.test_imports import MEMBER_HEADER

pytestmark = pytest.mark.django_db


def test_party_imports_skip_a_hidden_sheet(pw: PartyWorld) -> None:
    c = pw.city
    old = ["旧党员", "在职党员", pw.tax_org.code, "", "", "", "", c.grid_a1_1.code, "否"]
    new = ["新党员", "在职党员", pw.tax_org.code, "", "", "", "", c.grid_a1_1.code, "否"]
    data = workbook({"旧": [MEMBER_HEADER, old], "党员": [MEMBER_HEADER, new]}, hidden=("旧",), active="党员")

    outcome = party_import(
        actor=c.bob, kind=PartyImportKind.MEMBERS, upload=SimpleUploadedFile("党员.xlsx", data)
    )

    assert outcome.ok, outcome.as_dict()
    assert list(PartyMember.objects.filter(name__in=["旧党员", "新党员"]).values_list("name", flat=True)) == [
        "新党员"
    ]
