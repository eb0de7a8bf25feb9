"""Who may sit on an owners' committee (of full age, named as their resident record), a
member leaving (离任, kept as history), and the labels of the forms' refusals."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from civicgrid.core.errors import Conflict, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.property import services
from civicgrid.property.constants import CommitteePost, MemberEndReason, Verb
from civicgrid.property.models import CommitteeMember, CreditEntry, OwnersCommittee, ServiceContract
from civicgrid.property.services.committees import age_on
from civicgrid.property.tests.conftest import World, audit_count, today
from civicgrid.property.tests.test_api import Api
from civicgrid.property.tests.test_pages import client_for, messages_of
from civicgrid.registry import services as registry
from civicgrid.registry.models import Resident


def committee(world: World) -> OwnersCommittee:
    starts = today() - timedelta(days=100)
    return services.committee_create(
        actor=world.city.bob,
        compound=world.shengli,
        term_starts_on=starts,
        term_ends_on=starts + timedelta(days=1500),
    )


def resident(world: World, name: str, born: date | None) -> Resident:
    return registry.resident_create(actor=world.city.bob, node=world.shengli, name=name, birth_date=born)


def add(world: World, found: OwnersCommittee, **kwargs: object) -> CommitteeMember:
    values: dict[str, object] = {"name": "", "post": CommitteePost.MEMBER, "negative_items": []}
    values.update(kwargs)
    return services.committee_member_add(actor=world.city.bob, committee=found, **values)  # type: ignore[arg-type]


def test_age_counts_whole_years_to_the_birthday() -> None:
    assert age_on(date(2008, 5, 2), date(2026, 5, 1)) == 17
    assert age_on(date(2008, 5, 2), date(2026, 5, 2)) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17


def test_a_minor_is_refused_by_the_service_and_the_page(world: World) -> None:
    found = committee(world)
    child = resident(world, "陈小明", date(2013, 6, 1))
    just_adult = resident(world, "陈成年", today().replace(year=today().year - 18) - timedelta(days=1))
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        add(world, found, resident=child)
    assert exc.value.errors == {"resident": ["业委会成员应年满18周岁（该居民出生日期为2013-06-01）"]}
    back = client_for(world.city.bob).post(
        reverse("property:member_new", args=[found.pk]), {"resident": child.pk, "post": "member"}, follow=True
    )
    assert messages_of(back) == ["居民档案：业委会成员应年满18周岁（该居民出生日期为2013-06-01）"]
    assert not CommitteeMember.objects.exists() and audit_count() == before
    assert add(world, found, resident=just_adult).name == "陈成年"


def test_a_member_linked_to_a_resident_bears_the_records_name(world: World) -> None:
    found = committee(world)
    chen = resident(world, "陈涛", date(1970, 1, 1))
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        add(world, found, name="张三", resident=chen)
    assert exc.value.errors == {
        "name": ["填写的姓名「张三」与所选居民档案的姓名「陈涛」不一致（可留空，以档案为准）"]
    }
    bob = client_for(world.city.bob)
    back = bob.post(
        reverse("property:member_new", args=[found.pk]),
        {"name": "张三", "resident": chen.pk, "post": "member"},
        follow=True,
    )
    assert messages_of(back)[0].startswith("姓名：填写的姓名「张三」与所选居民档案的姓名「陈涛」不一致")
    assert not CommitteeMember.objects.exists() and audit_count() == before
    bob.post(reverse("property:member_new", args=[found.pk]), {"resident": chen.pk, "post": "member"})
    assert CommitteeMember.objects.get().name == "陈涛"
    refused = Api(world.city.bob).post(
        f"/committees/{found.pk}/members",
        {"name": "张三", "resident_id": world.zhou.pk, "post": "member", "negative_items": []},
    )
    assert refused.status_code == 422 and list(refused.json()["detail"]) == ["name"]


def test_a_member_leaves_and_the_row_stays_as_history(world: World) -> None:
    c = world.city
    found = committee(world)
    chair = add(world, found, resident=world.zhou, post=CommitteePost.CHAIR)
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.committee_member_end(
            actor=c.bob, member=chair, ended_on=today() + timedelta(days=1), reason="negative_list"
        )
    assert exc.value.errors == {"ended_on": ["离任日期不能晚于今天"], "note": ["请填写离任说明"]}
    with pytest.raises(ValidationError) as exc:
        services.committee_member_end(actor=c.bob, member=chair, ended_on=found.term_starts_on, reason="gone")
    assert set(exc.value.errors) == {"ended_on", "reason"}
    with pytest.raises(PermissionDenied):
        services.committee_member_end(actor=c.carol, member=chair, ended_on=today(), reason="resigned")
    assert CommitteeMember.objects.get().ended_on is None and audit_count() == before
    ended = services.committee_member_end(
        actor=c.bob, member=chair, ended_on=today(), reason=MemberEndReason.NEGATIVE_LIST, note="欠缴物业费"
    )
    assert (ended.ended_on, ended.end_reason, ended.ended_by) == (today(), "negative_list", c.bob)
    row = AuditLog.objects.get(verb=Verb.MEMBER_ENDED)
    assert row.before == {"ended_on": None, "end_reason": "", "end_note": ""}
    assert row.after is not None and row.after["end_reason"] == "negative_list"
    with pytest.raises(Conflict):
        services.committee_member_end(actor=c.bob, member=chair, ended_on=today(), reason="resigned")
    # The chair's post and the resident's seat are free again; the old row is kept.
    again = add(world, found, resident=world.zhou, post=CommitteePost.CHAIR)
    assert CommitteeMember.objects.filter(committee=found).count() == 2 and again.ended_on is None


def test_the_page_ends_a_membership_and_shows_it(world: World) -> None:
    found = committee(world)
    member = add(world, found, name="吴二")
    bob = client_for(world.city.bob)
    page = bob.get(reverse("property:compound", args=[world.shengli.pk])).content.decode()
    assert reverse("property:member_end", args=[member.pk]) in page and "登记离任" in page
    back = bob.post(
        reverse("property:member_end", args=[member.pk]), {"ended_on": today().isoformat()}, follow=True
    )
    assert messages_of(back) == ["离任原因：请选择有效的离任原因"]
    back = bob.post(
        reverse("property:member_end", args=[member.pk]),
        {"ended_on": today().isoformat(), "reason": "other"},
        follow=True,
    )
    assert messages_of(back) == ["离任说明：请填写离任说明"]
    assert (
        client_for(world.city.carol).post(reverse("property:member_end", args=[member.pk])).status_code == 404
    )
    back = bob.post(
        reverse("property:member_end", args=[member.pk]),
        {"ended_on": today().isoformat(), "reason": "resigned"},
        follow=True,
    )
    assert messages_of(back) == ["已登记业委会成员离任"]
    page = back.content.decode()
    assert "离任 · 本人辞职" in page and reverse("property:member_end", args=[member.pk]) not in page


def test_the_api_ends_a_membership_in_the_callers_scope(world: World) -> None:
    found = committee(world)
    member = add(world, found, name="吴二")
    path = f"/committees/{found.pk}/members/{member.pk}/end"
    body = {"ended_on": today().isoformat(), "reason": "term_ended"}
    assert Api(world.city.carol).post(path, body).status_code == 404
    wrong = Api(world.city.bob).post(
        f"/committees/{found.pk}/members/{member.pk}/end", {**body, "reason": "x"}
    )
    assert wrong.status_code == 422 and list(wrong.json()["detail"]) == ["reason"]
    assert CommitteeMember.objects.get().ended_on is None
    answer = Api(world.city.bob).post(path, body)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["ended_on"] == today().isoformat() and answer.json()["end_reason"] == "term_ended"
    assert Api(world.city.bob).post(path, body).status_code == 409
    detail = Api(world.city.bob).get(f"/committees/{found.pk}").json()
    assert detail["members"][0]["end_reason"] == "term_ended"


def test_each_form_names_its_own_reason_field(world: World) -> None:
    c = world.city
    world.start()
    back = client_for(world.hank).post(
        reverse("property:credit_new", args=[world.lvcheng.pk]),
        {"node": c.sub_a.pk, "year": str(today().year), "points": "3", "reason": ""},
        follow=True,
    )
    assert messages_of(back) == ["事由：请填写事由"]
    contract = ServiceContract.objects.get()
    back = client_for(c.bob).post(
        reverse("property:contract_end", args=[contract.pk]),
        {"ends_on": today().isoformat(), "reason": "nope"},
        follow=True,
    )
    assert messages_of(back) == ["退出原因：请选择有效的退出原因"]
    assert not CreditEntry.objects.exists() and ServiceContract.objects.get().ends_on is None
