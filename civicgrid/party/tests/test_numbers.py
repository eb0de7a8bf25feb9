"""Numbers typed into the three lists must fit their columns: a contribution of 1e30 was
stored by SQLite as it came and then every reading of the project page failed (500), for
everyone; PostgreSQL refused the insert with a server error. Refused by field, nothing saved."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.core.errors import ValidationError
from civicgrid.party import services
from civicgrid.party.constants import NeedCategory, NeedSource, ResourceKind
from civicgrid.party.models import Project
from civicgrid.party.tests.conftest import PartyWorld, counts

pytestmark = pytest.mark.django_db

TOO_BIG = [
    ("1e30", "最多10位整数、2位小数"),
    ("10000000000", "最多10位整数、2位小数"),
    ("-1", "不能为负数"),
    ("12.345", "最多保留2位小数"),
    ("99999999999.99", "最多10位整数、2位小数"),
]


@pytest.fixture
def project(pw: PartyWorld) -> Project:
    return services.project_create(
        actor=pw.city.bob,
        node=pw.city.comm_a1,
        data=services.ProjectIn(
            title="楼道灯加装", owner_name="钱主任", starts_on=date.today(), ends_on=date.today()
        ),
    )


def _bob(pw: PartyWorld) -> Client:
    client = Client()
    client.force_login(pw.city.bob)
    return client


@pytest.mark.parametrize(("raw", "reason"), TOO_BIG)
def test_a_contribution_beyond_its_column_is_refused_and_the_page_still_opens(
    pw: PartyWorld, project: Project, raw: str, reason: str
) -> None:
    bob = _bob(pw)
    before = counts()
    response = bob.post(
        reverse("party:project_act", args=[project.pk]),
        {"action": "contribution", "unit_code": pw.tax.credit_code, "description": "资金", "amount": raw},
        follow=True,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f"折合金额{reason}" in body
    assert counts() == before
    assert bob.get(reverse("party:project", args=[project.pk])).status_code == 200


def test_the_service_names_the_amount_field_for_the_api_too(pw: PartyWorld, project: Project) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.project_contribution_add(
            actor=pw.city.bob, project=project, unit=pw.tax, description="资金", amount=Decimal("1e30")
        )
    assert refused.value.errors == {"amount": ["折合金额最多10位整数、2位小数"]}
    assert counts() == before


def test_an_amount_at_the_limit_is_kept(pw: PartyWorld, project: Project) -> None:
    row = services.project_contribution_add(
        actor=pw.city.bob, project=project, unit=pw.tax, description="资金", amount=Decimal("9999999999.99")
    )
    row.refresh_from_db()
    assert row.amount == Decimal("9999999999.99")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("1e30", "预算最多10位整数、2位小数"), ("12.345", "预算最多保留2位小数"), ("-5", "预算不能为负数")],
)
def test_a_budget_beyond_its_column_is_refused(pw: PartyWorld, raw: str, reason: str) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            actor=pw.city.bob,
            node=pw.city.comm_a1,
            data=services.ProjectIn(
                title="道路",
                owner_name="钱",
                starts_on=date.today(),
                ends_on=date.today(),
                budget=Decimal(raw),
            ),
        )
    assert refused.value.errors["budget"] == [reason]
    assert counts() == before


def test_a_resource_quantity_beyond_its_column_is_refused_on_the_page(pw: PartyWorld) -> None:
    bob = _bob(pw)
    before = counts()
    response = bob.post(
        reverse("party:resource_new"),
        {
            "kind": ResourceKind.FUNDS,
            "title": "共建资金",
            "unit_code": pw.tax.credit_code,
            "node": pw.city.comm_a1.pk,
            "quantity": "1e30",
        },
        follow=True,
    )
    assert "数量最多10位整数、2位小数" in response.content.decode()
    assert counts() == before
    assert bob.get(reverse("party:resources")).status_code == 200


@pytest.mark.parametrize("raw", ["10000001", "99999999999999999999", "-3", "abc", "2.5", "²"])
def test_beneficiaries_beyond_a_plausible_count_are_refused(pw: PartyWorld, raw: str) -> None:
    before = counts()
    response = _bob(pw).post(
        reverse("party:need_new"),
        {
            "title": "楼道灯损坏",
            "category": NeedCategory.FACILITIES,
            "source": NeedSource.RESIDENT,
            "node": pw.city.grid_a1_1.pk,
            "beneficiaries": raw,
        },
        follow=True,
    )
    assert "受益人数应为0到1000000之间的整数" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("raw", ["-5", "501", "abc", "2.5"])
def test_contribution_points_are_refused_as_whole_value_words_it(
    pw: PartyWorld, project: Project, raw: str
) -> None:
    """The page reads typed whole numbers with core.validators.whole_value: one wording for
    "abc", "2.5" and "-5" (they were "…应为整数" and "…应在0到500之间")."""
    before = counts()
    response = _bob(pw).post(
        reverse("party:project_act", args=[project.pk]),
        {"action": "contribution", "unit_code": pw.tax.credit_code, "description": "资金", "points": raw},
        follow=True,
    )
    assert "盟友力积分应为0到500之间的整数" in response.content.decode()
    assert counts() == before
