"""Registry reads, always cut to the actor's scope."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Left
from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter
from civicgrid.core import crypto
from civicgrid.core.errors import NotFound
from civicgrid.core.validators import fold, normalise_credit_code, normalise_id_number, normalise_phone
from civicgrid.registry.constants import SENSITIVE_TAGS
from civicgrid.registry.models import Dwelling, Household, Organisation, Resident
from civicgrid.registry.pii import pii_kind, pii_search_checked, sensitive_tag_listed, with_reduced_birth
from civicgrid.territory.models import Node, common_path


def residents_visible(actor: Any) -> QuerySet[Resident]:
    return scope_filter(Resident.objects.all(), actor, Capability.REGISTRY_VIEW)


def dwellings_visible(actor: Any) -> QuerySet[Dwelling]:
    return scope_filter(Dwelling.objects.all(), actor, Capability.REGISTRY_VIEW)


def households_visible(actor: Any) -> QuerySet[Household]:
    return scope_filter(Household.objects.all(), actor, Capability.REGISTRY_VIEW)


def organisations_visible(actor: Any) -> QuerySet[Organisation]:
    return scope_filter(Organisation.objects.all(), actor, Capability.REGISTRY_VIEW)


def dwelling_search(
    actor: Any, *, under: Node | None = None, use: str = "", q: str = ""
) -> QuerySet[Dwelling]:
    """The 实有房屋 list's filters: under an area, by use, by room or dwelling code."""
    qs = dwellings_visible(actor).select_related("node")
    if under is not None:
        qs = qs.filter(node_path__startswith=under.path)
    if use:
        qs = qs.filter(use=use)
    if q := q.strip():
        qs = qs.filter(room__contains=fold(q)) | qs.filter(code__contains=fold(q).upper())
    return qs.order_by("node_path", "room")


def organisation_search(
    actor: Any, *, under: Node | None = None, kind: str = "", q: str = ""
) -> QuerySet[Organisation]:
    """The 实有单位 list's filters: under an area, by kind, by name or credit code."""
    qs = organisations_visible(actor).select_related("node")
    if under is not None:
        qs = qs.filter(node_path__startswith=under.path)
    if kind:
        qs = qs.filter(kind=kind)
    if q := q.strip():
        qs = qs.filter(name__contains=q) | qs.filter(credit_code=normalise_credit_code(q))
    return qs.order_by("node_path", "name")


STATUS_ACTIVE, STATUS_MOVED_OUT, STATUS_ALL = "active", "moved_out", "all"


def id_holder_visible(actor: Any, id_number: str) -> Resident | None:
    """The resident holding this ID number, if the actor may see them: asked only after a
    registration or an edit was refused as 该身份证号已登记 (itself the audited ID search), for
    the link to them (恢复在册 for one who moved out)."""
    number = normalise_id_number(id_number)
    if not number:
        return None
    return residents_visible(actor).filter(id_number_hash=crypto.blind_index(number)).first()


def area_label(node: Node | None) -> str:
    """A resident's 所属区域 as a person reads it: the node with its parent (瑞景公寓1号楼 ·
    1单元), since many buildings have a 1单元 (select_related ``node__parent``)."""
    if node is None:
        return ""
    parent = node.parent if node.parent_id else None
    return f"{parent.name} · {node.name}" if parent is not None else node.name


def resident_search(
    actor: Any,
    *,
    q: str = "",
    under: Node | None = None,
    tag: str = "",
    residence_type: str = "",
    gender: str = "",
    status: str = "",
) -> QuerySet[Resident]:
    """Search by name (contains), or by exact ID number / phone through their blind index,
    however the number is typed (``search_digests``).

    A search by ID number or phone is audited and counted against the actor's budget
    (``pii.pii_search_checked``; ``pii.PiiSearchLimited`` past it). A list by a sensitive tag
    (``SENSITIVE_TAGS``) is for those who may reveal PII, cut to where they may, and audited
    (``pii.sensitive_tag_listed``; ``PermissionDenied`` for others). Residents come out with
    the birth date reduced to the year (``pii.reduce_birth``)."""
    qs = residents_visible(actor)
    if status != STATUS_ALL:  # 在册 unless 已迁出 or 全部 is asked for
        qs = qs.filter(is_active=status != STATUS_MOVED_OUT)
    if under is not None:
        qs = qs.filter(node_path__startswith=under.path)
    q = q.strip()
    kind = pii_kind(q) if q else ""
    if kind:
        digests = search_digests(q)
        qs = qs.filter(Q(id_number_hash__in=digests) | Q(phone_hash__in=digests))
    elif q:
        qs = qs.filter(name__contains=q)
    if tag:
        qs = qs.filter(tags__code=tag)
    if residence_type:
        qs = qs.filter(residence_type=residence_type)
    if gender:
        qs = qs.filter(gender=gender)
    if kind:
        pii_search_checked(actor=actor, kind=kind, qs=qs)
    if tag in SENSITIVE_TAGS:
        qs = sensitive_tag_listed(actor=actor, tag=tag, qs=qs)
    qs = qs.select_related("node__parent", "household").prefetch_related("tags").order_by("node_path", "id")
    return with_reduced_birth(qs, actor)


def search_digests(q: str) -> list[str]:
    """Blind indexes a typed ID number or phone may be stored under: as the registry stores
    them (``normalise_id_number``, ``normalise_phone``: full-width characters, ``+86``,
    dashes, a small ``x``), and as typed (values stored before they were normalised)."""
    forms = {q, normalise_id_number(q), normalise_phone(q) or ""}
    return sorted(crypto.blind_index(form) for form in forms if form)


def resident_get(actor: Any, pk: int) -> Resident:
    """One resident the actor may see, its birth date reduced as ``resident_search``'s."""
    qs = residents_visible(actor).select_related("node__parent", "household__dwelling").filter(pk=pk)
    found = with_reduced_birth(qs, actor).first()
    if found is None:
        raise NotFound(_("居民不存在或您无权查看"))
    return found


def residents_count_under(node: Node) -> int:
    return Resident.objects.filter(node_path__startswith=node.path, is_active=True).count()


def residents_count_under_each(nodes: Iterable[Node]) -> dict[str, int]:
    """``residents_count_under`` of every node at once, by node path, in one query whatever
    the number of nodes (a node without residents counts 0; a resident under two of the
    nodes, one inside the other, counts for both).

    A resident is under a node when its ``node_path`` starts with the node's path: the
    residents under the nodes' common ancestor are counted per leading part of their path as
    long as the longest of the nodes' paths (one scan, one row per subdistrict or so), and
    each group goes to the nodes its leading part starts with. 300 subdistricts of 2 million
    residents: one grouped query instead of 300 counts."""
    counts = dict.fromkeys((node.path for node in nodes), 0)
    if not counts:
        return counts
    lengths = sorted({len(path) for path in counts})
    rows = (
        Resident.objects.filter(node_path__startswith=common_path(list(counts)), is_active=True)
        .annotate(lead=Left("node_path", lengths[-1]))
        .values("lead")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        # A set: a resident's path shorter than some of the lengths comes out whole for each.
        for prefix in {row["lead"][:length] for length in lengths}:
            if prefix in counts:
                counts[prefix] += row["n"]
    return counts


def resident_for_user(user: Any) -> Resident | None:
    """The resident a signed-in resident account acts as (None for staff and anonymous).

    Remembered on the user object, so the menu and the apps asking on one page cost one
    query; staff accounts (a role or an administrator lane) hold no resident account."""
    if not getattr(user, "is_authenticated", False):
        return None
    if "_civicgrid_resident" not in user.__dict__:
        from civicgrid.accounts.selectors import actor_roles
        from civicgrid.registry.models import ResidentAccount

        resident = None
        if not getattr(user, "admin_role", "") and not actor_roles(user):
            link = ResidentAccount.objects.select_related("resident").filter(user=user).first()
            resident = link.resident if link else None
        user.__dict__["_civicgrid_resident"] = resident
    return user.__dict__["_civicgrid_resident"]
