"""A refused property form comes back (422) with what was typed, each field named by its label."""

from datetime import timedelta

from django.urls import reverse

from civicgrid.core.models import AuditLog
from civicgrid.property import services
from civicgrid.property.models import CommitteeMember, CreditEntry, OwnersCommittee, ServiceContract
from civicgrid.property.tests.conftest import World, today
from civicgrid.property.tests.test_pages import client_for, messages_of


def test_a_refused_exit_keeps_the_day_reason_and_note(world: World) -> None:
    c = world.city
    contract = world.start()
    inspected = today() - timedelta(days=5)
    services.inspection_record(actor=c.bob, compound=world.shengli, inspected_on=inspected, items={})
    typed = (today() - timedelta(days=20)).isoformat()
    before = AuditLog.objects.count()
    page = client_for(c.bob).post(
        reverse("property:contract_end", args=[contract.pk]),
        {"ends_on": typed, "reason": "withdrew", "note": "企业经营调整", "version": contract.version},
    )
    assert page.status_code == 422
    [message] = messages_of(page)
    assert message.startswith("退出日期：退出日期不能早于") and inspected.isoformat() in message
    html = page.content.decode()
    assert f'name="ends_on" value="{typed}"' in html
    assert '<option value="withdrew" selected>' in html
    assert 'value="企业经营调整"' in html
    contract.refresh_from_db()
    assert contract.ends_on is None and AuditLog.objects.count() == before


def test_the_note_is_named_by_its_label_on_each_form(world: World) -> None:
    c = world.city
    contract = world.start()
    client = client_for(c.bob)
    page = client.post(
        reverse("property:contract_end", args=[contract.pk]),
        {"ends_on": today().isoformat(), "reason": "other", "note": "", "version": contract.version},
    )
    assert messages_of(page) == ["退出说明：请填写退出说明"]
    services.contract_end(actor=c.bob, contract=contract, ends_on=today(), reason="expired")
    page = client.post(
        reverse("property:contract_new", args=[world.shengli.pk]),
        {"company": world.anju.pk, "starts_on": today().isoformat(), "note": "长" * 256},
    )
    assert page.status_code == 422
    [message] = messages_of(page)
    assert message.startswith("备注：备注") and "255" in message, message
    assert f'<option value="{world.anju.pk}" selected>' in page.content.decode()
    assert ServiceContract.objects.filter(ends_on__isnull=True).count() == 0


def test_a_refused_award_and_member_keep_what_was_typed(world: World) -> None:
    c = world.city
    world.start()
    page = client_for(c.dave).post(
        reverse("property:credit_new", args=[world.lvcheng.pk]),
        {"node": c.sub_a.pk, "year": str(today().year), "points": "0", "reason": "创建示范点"},
    )
    assert page.status_code == 422 and messages_of(page) == ["分值：分值不能为0"]
    html = page.content.decode()
    assert f'<option value="{c.sub_a.pk}" selected>' in html and 'value="创建示范点"' in html
    assert not CreditEntry.objects.exists()
    committee = services.committee_create(
        actor=c.bob,
        compound=world.shengli,
        term_starts_on=today() - timedelta(days=30),
        term_ends_on=today() + timedelta(days=1000),
    )
    page = client_for(c.bob).post(
        reverse("property:member_new", args=[committee.pk]),
        {"name": "王业主", "post": "vice_chair", "negative_items": ["arrears"], "is_party_member": "1"},
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert 'value="王业主"' in html and 'value="arrears" checked' in html
    assert '<option value="vice_chair" selected>' in html
    assert OwnersCommittee.objects.count() == 1 and not CommitteeMember.objects.exists()
