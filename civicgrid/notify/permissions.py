"""Who reads the outbox (发送记录) and who may send a failed message again.

The outbox is the system's own plumbing, not a role's business: the system administrator
reads it and sends a failed message again; the audit administrator reads it (三员分立: who
was not told and why is theirs to check), never acts on it. Nobody else sees it: the page
shows subjects and the recipients' names, with their addresses masked."""

from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.models import AdminRole
from civicgrid.core.errors import PermissionDenied

READERS = frozenset({AdminRole.SYSTEM, AdminRole.AUDIT})


def _admin_role(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    return str(getattr(user, "admin_role", "") or "")


def reads_outbox(user: Any) -> bool:
    return _admin_role(user) in READERS


def retries_messages(user: Any) -> bool:
    return _admin_role(user) == AdminRole.SYSTEM


def require_reader(user: Any) -> None:
    if not reads_outbox(user):
        raise PermissionDenied(_("只有系统管理员和审计管理员可以查看通知发送记录"))


def require_retrier(user: Any) -> None:
    if not retries_messages(user):
        raise PermissionDenied(_("只有系统管理员可以重发通知"))
