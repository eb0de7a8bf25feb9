"""An outside tester's findings: a member's typed name is cleaned as the registry cleans names
(so the duplicate-name check holds), a term is at most five years counting both its days, the
member picker offers adults only, and the board API refuses whom the board page refuses."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from civicgrid.core.errors import ValidationError
from civicgrid.property import selectors, services
from civicgrid.property.models import CommitteeMember, CompanyProfile, OwnersCommittee
from civicgrid.property.services.committees import age_cutoff, term_last_day
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.property.tests.test_api import Api
from civicgrid.property.tests.test_pages import client_for, messages_of
from civicgrid.registry import services as registry


def committee(world: World) -> OwnersCommittee:
    return services.committee_create(
        actor=world.city.bob,
        compound=world.shengli,
        term_starts_on=today() - timedelta(days=30),
        term_ends_on=today() + timedelta(days=1000),
    )


# --- 1. names ------------------------------------------------------------------------------------


def test_a_typed_name_is_cleaned_and_its_variants_are_one_serving_member(world: World) -> None:
    """Before: 吴十, 吴\u3000十 and 吴\u200b十 were three serving members (two shown as 吴 十)."""
    found = committee(world)
    client = client_for(world.city.bob)
    url = reverse("property:member_new", args=[found.pk])
    first = client.post(url, {"name": "吴\u3000十", "post": "member"})
    assert first.status_code == 302, messages_of(first)
    assert CommitteeMember.objects.get().name == "吴十"
    before = audit_count()
    for typed in ("吴十", "吴\u200b十", " 吴 十\u00a0", "\ufeff吴十"):
        refused = client.post(url, {"name": typed, "post": "member"})
        assert refused.status_code == 422, typed
        assert "本届业委会已有在任成员「吴十」" in refused.content.decode()
    assert CommitteeMember.objects.count() == 1 and audit_count() == before


def test_a_row_saved_before_names_were_cleaned_still_counts_as_that_name(world: World) -> None:
    found = committee(world)
    CommitteeMember.objects.create(
        committee=found, name="吴\u3000十", post="member", checked_by=world.city.bob, joined_on=today()
    )
    with pytest.raises(ValidationError) as refused:
        services.committee_member_add(
            actor=world.city.bob, committee=found, name="吴十", post="member", negative_items=[]
        )
    assert "本届业委会已有在任成员「吴十」" in refused.value.errors["name"][0]
    # Another name of a resident record is still refused; the record's own name, spaced, is not.
    with pytest.raises(ValidationError) as refused:
        services.committee_member_add(
            actor=world.city.bob,
            committee=found,
            name="周先生",
            post="member",
            resident=world.zhou,
            negative_items=[],
        )
    assert "与所选居民档案的姓名「周业主」不一致" in refused.value.errors["name"][0]
    member = services.committee_member_add(
        actor=world.city.bob,
        committee=found,
        name="周\u3000业\u200b主",
        post="member",
        resident=world.zhou,
        negative_items=[],
    )
    assert member.name == "周业主"


def test_a_party_instructor_is_stored_as_a_cleaned_name(world: World) -> None:
    world.start()
    services.company_profile_set(
        actor=world.city.dave,
        company=world.lvcheng,
        party_instructor=" 李\u3000\u200b明 ",
        has_party_branch=True,
    )
    assert CompanyProfile.objects.get(company=world.lvcheng).party_instructor == "李明"


# --- 2. five-year terms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "last"),
    [
        (date(2022, 1, 1), date(2026, 12, 31)),
        (date(2020, 6, 15), date(2025, 6, 14)),
        (date(2024, 2, 29), date(2029, 2, 28)),
        (date(2023, 3, 1), date(2028, 2, 29)),
    ],
)
def test_a_five_year_term_ends_the_day_before_its_fifth_anniversary(start: date, last: date) -> None:
    assert term_last_day(start) == last


def test_a_term_of_five_years_and_a_day_is_refused(world: World) -> None:
    """Before: 2022-01-01 to 2027-01-01 was taken under 业委会任期最长5年."""
    with pytest.raises(ValidationError) as refused:
        services.committee_create(
            actor=world.city.bob,
            compound=world.shengli,
            term_starts_on=date(2022, 1, 1),
            term_ends_on=date(2027, 1, 1),
        )
    assert refused.value.errors == {"term_ends_on": ["业委会任期最长5年"]}
    found = services.committee_create(
        actor=world.city.bob,
        compound=world.shengli,
        term_starts_on=date(2022, 1, 1),
        term_ends_on=date(2026, 12, 31),
    )
    with pytest.raises(ValidationError) as refused:
        services.committee_term_correct(
            actor=world.city.bob,
            committee=found,
            term_starts_on=date(2021, 12, 31),
            term_ends_on=date(2026, 12, 31),
            reason="更正",
        )
    assert refused.value.errors == {"term_ends_on": ["业委会任期最长5年"]}


def test_a_term_starting_on_the_last_day_of_another_overlaps_it(world: World) -> None:
    services.committee_create(
        actor=world.city.bob,
        compound=world.shengli,
        term_starts_on=date(2016, 1, 1),
        term_ends_on=date(2020, 12, 31),
    )
    with pytest.raises(ValidationError) as refused:
        services.committee_create(
            actor=world.city.bob,
            compound=world.shengli,
            term_starts_on=date(2020, 12, 31),
            term_ends_on=date(2025, 12, 30),
        )
    assert "重叠" in refused.value.errors["term_starts_on"][0]
    nxt = services.committee_create(
        actor=world.city.bob,
        compound=world.shengli,
        term_starts_on=date(2021, 1, 1),
        term_ends_on=date(2025, 12, 31),
    )
    assert selectors.current_committee(world.shengli, date(2020, 12, 31)) != nxt
    assert selectors.current_committee(world.shengli, date(2021, 1, 1)) == nxt


# --- 3. the member picker ------------------------------------------------------------------------


def test_the_member_picker_offers_adults_only(world: World) -> None:
    """Before: residents born 2020–2023 were offered, then refused on submit."""
    bob = world.city.bob
    child = registry.resident_create(actor=bob, node=world.shengli, name="吴小", birth_date=date(2021, 5, 1))
    born_by = age_cutoff(today())  # the latest birth date of an 18-year-old today
    adult = registry.resident_create(actor=bob, node=world.shengli, name="吴成", birth_date=born_by)
    almost = registry.resident_create(
        actor=bob, node=world.shengli, name="吴近", birth_date=born_by + timedelta(days=1)
    )
    found = committee(world)
    page = client_for(bob).get(reverse("property:compound", args=[world.shengli.pk]))
    offered = page.context["residents"]
    assert world.zhou in offered and adult in offered  # no birth date: taken, as the service takes them
    assert child not in offered and almost not in offered
    assert "吴小" not in page.content.decode()
    # A minor's id posted anyway is refused by the service's age rule, naming it.
    refused = client_for(bob).post(
        reverse("property:member_new", args=[found.pk]), {"resident": child.pk, "name": "", "post": "member"}
    )
    assert refused.status_code == 422 and "业委会成员应年满18周岁" in refused.content.decode()
    assert not CommitteeMember.objects.exists()


# --- 4. the board API ----------------------------------------------------------------------------


def test_the_board_api_refuses_whom_the_board_page_refuses(world: World) -> None:
    """Before: a hotline operator got 200 with no rows from the API, 403 from /property/."""
    world.start()
    olivia = world.city.olivia  # a hotline operator: no PROPERTY_VIEW
    assert client_for(olivia).get(reverse("property:board")).status_code == 403
    assert Api(olivia).get("/board").status_code == 403
    answer = Api(world.city.bob).get("/board")
    assert answer.status_code == 200 and [r["company"] for r in answer.json()["rows"]] == ["梁溪绿城物业"]
