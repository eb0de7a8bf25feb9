from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from civicgrid.core.audit import audit_write
from civicgrid.core.models import AuditLog


@pytest.mark.django_db
def test_healthz_answers_json(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_audit_rows_cannot_be_updated_in_the_database() -> None:
    with transaction.atomic():
        row = audit_write(actor=None, verb="test.thing", target_label="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(verb="test.changed")
    assert AuditLog.objects.get(pk=row.pk).verb == "test.thing"
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditLog.objects.filter(pk=row.pk).delete()
        assert AuditLog.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_write_refuses_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        audit_write(actor=None, verb="test.thing")
    assert not AuditLog.objects.exists()


@pytest.mark.django_db
def test_request_id_and_ip_reach_the_audit_row(client: Any, city: Any) -> None:
    client.force_login(city.bob)
    response = client.post(
        "/api/v1/registry/residents",
        {"node_id": city.grid_a1_1.pk, "name": "刘洋"},
        content_type="application/json",
        headers={"X-Request-ID": "req-test-123"},
    )
    assert response.status_code == 201, response.content
    row = AuditLog.objects.get(verb="registry.resident_created")
    assert row.request_id == "req-test-123"
    assert row.ip == "127.0.0.1"
    assert row.actor_id == city.bob.pk
