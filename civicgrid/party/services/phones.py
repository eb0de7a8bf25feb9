"""Phones in the party module are kept encrypted and shown masked; staff of the place who
may see personal data (``PARTY_EDIT`` and ``PII_VIEW`` where the member belongs or lives,
or where the agreement is signed or its unit is) see one in full, on purpose (a 查看 button,
POST), and each time an audit row names whose phone was shown, as the registry's reveal."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import PermissionDenied
from civicgrid.party.constants import Verb
from civicgrid.party.models import Agreement, PartyMember


def _may(actor: Any, paths: list[str]) -> bool:
    return any(
        path and can(actor, Capability.PARTY_EDIT, path) and can(actor, Capability.PII_VIEW, path)
        for path in paths
    )


def _member_paths(member: PartyMember) -> list[str]:
    home = member.home_node.path if member.home_node_id is not None and member.home_node else ""
    return [member.node_path, home]


def may_reveal_member_phone(actor: Any, member: PartyMember) -> bool:
    return bool(member.phone_enc) and _may(actor, _member_paths(member))


def may_reveal_agreement_phone(actor: Any, agreement: Agreement) -> bool:
    return bool(agreement.contact_phone_enc) and _may(actor, [agreement.node_path, agreement.unit.node_path])


@transaction.atomic
def member_phone_reveal(*, actor: Any, member: PartyMember) -> str:
    """The member's phone in full; audited ``party.member_phone_viewed``."""
    if not _may(actor, _member_paths(member)):
        raise PermissionDenied(_("您无权查看该党员的完整联系电话"))
    audit_write(
        actor=actor,
        verb=Verb.MEMBER_PHONE_VIEWED,
        target=member,
        node=member.node,
        after={"fields": ["phone"], "member": member.name, "masked": member.phone_masked},
    )
    return crypto.decrypt(member.phone_enc) if member.phone_enc else ""


@transaction.atomic
def agreement_phone_reveal(*, actor: Any, agreement: Agreement) -> str:
    """The agreement's contact phone in full; audited ``party.agreement_phone_viewed``."""
    if not _may(actor, [agreement.node_path, agreement.unit.node_path]):
        raise PermissionDenied(_("您无权查看该协议联系人的完整电话"))
    audit_write(
        actor=actor,
        verb=Verb.AGREEMENT_PHONE_VIEWED,
        target=agreement,
        node=agreement.node,
        after={
            "fields": ["contact_phone"],
            "contact": agreement.contact_name,
            "unit": agreement.unit.name,
            "masked": agreement.contact_phone_masked,
        },
    )
    return crypto.decrypt(agreement.contact_phone_enc) if agreement.contact_phone_enc else ""
