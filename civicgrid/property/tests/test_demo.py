"""The demo of red property on the test city: the services' rules hold and nothing lies ahead."""

from io import StringIO

from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from civicgrid.core.models import AuditLog
from civicgrid.property.models import (
    CommitteeMember,
    CompanyProfile,
    CreditEntry,
    Inspection,
    InspectionItem,
    OwnersCommittee,
    ServiceContract,
)
from civicgrid.property.tests.conftest import World
from civicgrid.registry import services as registry


def test_the_demo_keeps_the_rules_and_runs_once(world: World) -> None:
    for n in range(6):
        registry.resident_create(actor=world.city.bob, node=world.shengli, name=f"业主{n}")
    out = StringIO()
    call_command("demo_extras", "--only", "property", "--seed", "3", stdout=out)
    assert "==> property" in out.getvalue()
    now = timezone.now()
    today = timezone.localdate()
    open_rows = ServiceContract.objects.filter(ends_on__isnull=True)
    assert open_rows.values("node").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert open_rows.exists() and CompanyProfile.objects.count() == 2
    for inspection in Inspection.objects.all():
        items = InspectionItem.objects.filter(inspection=inspection)
        assert items.count() == 8
        assert items.aggregate(s=Sum("deduction"))["s"] == inspection.total_deduction
        assert inspection.inspected_on <= today and inspection.created_at <= now
        c = inspection.contract
        assert c.starts_on <= inspection.inspected_on and (
            c.ends_on is None or inspection.inspected_on <= c.ends_on
        )
        entry = CreditEntry.objects.get(source="inspection", source_id=inspection.pk)
        assert entry.points == -inspection.total_deduction and entry.company_id == inspection.company_id
    assert Inspection.objects.exists()
    assert not Inspection.objects.filter(Q(total_deduction__gt=0, rectify_by__isnull=True)).exists()
    for model in (ServiceContract, Inspection, CreditEntry, OwnersCommittee, CommitteeMember):
        assert not model.objects.filter(created_at__gt=now).exists(), model
    assert not ServiceContract.objects.filter(starts_on__gt=today).exists()
    assert AuditLog.objects.filter(verb="property.demo_built").count() == 1
    rows = (ServiceContract.objects.count(), Inspection.objects.count(), CreditEntry.objects.count())
    again = StringIO()
    call_command("demo_extras", "--only", "property", stdout=again)
    assert "跳过" in again.getvalue()
    assert (ServiceContract.objects.count(), Inspection.objects.count(), CreditEntry.objects.count()) == rows
    assert AuditLog.objects.filter(verb="property.demo_built").count() == 1
