"""Whoever may manage an owners' committee (a subdistrict handler too, without registry
access) picks a member among the residents of the compound, shown by name and masked ID
number only; a member entered by a typed name is linked to the resident record later."""

from datetime import date

import pytest
from django.urls import reverse

from civicgrid.core.errors import Conflict, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import selectors, services
from civicgrid.property.constants import Verb
from civicgrid.property.models import CommitteeMember, OwnersCommittee
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.property.tests.test_pages import client_for, messages_of
from civicgrid.property.tests.test_subdistrict_staff import department_handler, subdistrict_handler
from civicgrid.registry import services as registry

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def committee(world: World) -> OwnersCommittee:
    start = date(today().year - 1, 1, 1)
    return services.committee_create(
        actor=world.city.bob,
        compound=world.shengli,
        term_starts_on=start,
        term_ends_on=date(start.year + 4, 12, 31),
    )


def test_a_subdistrict_handler_picks_a_resident_by_name_and_masked_id(world: World) -> None:
    liu = subdistrict_handler(world)
    resident = registry.resident_create(
        actor=world.city.bob,
        node=world.shengli,
        name="钱业主",
        id_number=id_number("32020219800101123"),
        phone="13812345678",
        birth_date=date(1980, 1, 1),
    )
    found = committee(world)
    page = client_for(liu).get(reverse("property:compound", args=[world.shengli.pk]))
    assert resident in page.context["residents"]
    html = page.content.decode()
    assert "钱业主" in html and resident.id_number_masked in html
    assert "13812345678" not in html and "5678" not in html and "198001011" not in html
    done = client_for(liu).post(
        reverse("property:member_new", args=[found.pk]),
        {"resident": resident.pk, "name": "", "post": "member"},
    )
    assert done.status_code == 302, messages_of(done)
    member = CommitteeMember.objects.get()
    assert member.resident == resident and member.name == "钱业主"


def test_only_those_who_manage_the_committee_get_the_residents(world: World) -> None:
    assert not selectors.member_candidates(department_handler(world), world.shengli).exists()
    assert not selectors.member_candidates(world.city.carol, world.shengli).exists()
    assert list(selectors.member_candidates(world.city.bob, world.shengli)) == [world.zhou]


def test_a_typed_member_is_linked_to_their_record_later(world: World) -> None:
    c = world.city
    found = committee(world)
    member = services.committee_member_add(
        actor=c.bob, committee=found, name="周某", post="member", negative_items=[]
    )
    linked = services.committee_member_link(
        actor=subdistrict_handler(world), member=member, resident=world.zhou
    )
    assert linked.resident == world.zhou and linked.name == "周业主"
    log = AuditLog.objects.get(verb=Verb.MEMBER_LINKED)
    assert log.before == {"name": "周某", "resident": None}
    assert log.after == {"name": "周业主", "resident": world.zhou.pk}
    with pytest.raises(Conflict):
        services.committee_member_link(actor=c.bob, member=linked, resident=world.zhou)


def test_a_link_checks_age_and_the_compound(world: World) -> None:
    c = world.city
    found = committee(world)
    member = services.committee_member_add(
        actor=c.bob, committee=found, name="某人", post="member", negative_items=[]
    )
    minor = registry.resident_create(
        actor=c.bob, node=world.shengli, name="小周", birth_date=date(today().year - 10, 1, 1)
    )
    elsewhere = registry.resident_create(actor=c.carol, node=world.tongjiang, name="吴业主")
    before = audit_count()
    for resident in (minor, elsewhere):
        with pytest.raises(ValidationError) as refused:
            services.committee_member_link(actor=c.bob, member=member, resident=resident)
        assert "resident" in refused.value.errors
    assert CommitteeMember.objects.get().resident is None and audit_count() == before
    page = client_for(c.bob).post(
        reverse("property:member_link", args=[member.pk]), {"resident": elsewhere.pk}
    )
    assert page.status_code == 422 and messages_of(page) == ["居民档案：居民不存在或您无权查看"]
    done = client_for(c.bob).post(
        reverse("property:member_link", args=[member.pk]), {"resident": world.zhou.pk}
    )
    assert done.status_code == 302
    assert CommitteeMember.objects.get().resident == world.zhou
