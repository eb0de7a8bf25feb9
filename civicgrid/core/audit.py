"""Writing audit rows. Call inside the service's transaction, after the change."""

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from civicgrid.core.context import current_request_meta
from civicgrid.core.models import AuditLog


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of an instance as JSON-safe values (FKs as their ids)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = _json_safe(getattr(instance, attname))
    return data


def audit_row(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    node: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """The unsaved audit row (``audit_write`` saves one, ``audit_write_many`` several)."""
    meta = current_request_meta()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:255]
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog(
        actor=actor if is_user else None,
        actor_name=(actor.get_username() if is_user else str(actor or _("系统")))[:150],
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:255],
        node=node,
        node_path=getattr(node, "path", "") or "",
        before=_json_safe(before),
        after=_json_safe(after),
        request_id=meta.request_id,
        ip=meta.ip,
        via=meta.via or None,
    )


def _check_in_transaction() -> None:
    # The atomic blocks a test case wraps each test in (``_from_testcase``) do not count: a
    # page that forgot its own transaction fails its tests as it would fail in production.
    connection = transaction.get_connection()
    if not any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        raise RuntimeError("audit_write must be called inside the change's transaction")


def audit_write(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    node: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one audit row. Must run inside the transaction of the change it records."""
    _check_in_transaction()
    row = audit_row(
        actor=actor,
        verb=verb,
        target=target,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        node=node,
        before=before,
        after=after,
    )
    row.save(force_insert=True)
    return row


def audit_write_many(rows: list[AuditLog]) -> list[AuditLog]:
    """Append several rows built by ``audit_row`` in one statement, in the change's transaction."""
    _check_in_transaction()
    return AuditLog.objects.bulk_create(rows)
