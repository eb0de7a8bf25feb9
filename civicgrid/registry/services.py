"""Writes to the registry. PII is validated, encrypted, hashed and masked here, only here.

What people type is normalised here too, before it is checked (``core.validators``):
full-width digits and letters as ASCII, an ID number's or credit code's spaces dropped and
letters in capitals, a phone in its one canonical form (``+86 138-0013-8000`` is stored as
``13800138000``), so the page, the API and the imports store, and find, the same value.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, forget_scope, require
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write, snapshot
from civicgrid.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from civicgrid.core.validators import (
    credit_code_problem,
    decimal_value,
    fold,
    id_number_birth_date,
    id_number_gender,
    id_number_problem,
    normalise_credit_code,
    normalise_id_number,
    normalise_phone,
    phone_input_problem,
)
from civicgrid.exchange.cells import clean_text, comparable, person_name
from civicgrid.registry.constants import Verb
from civicgrid.registry.models import (
    Dwelling,
    DwellingUse,
    Gender,
    Household,
    LeftReason,
    Organisation,
    OrganisationKind,
    ResidenceType,
    Resident,
    ResidentTag,
)
from civicgrid.registry.pii import id_holder_checked
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.services import node_for_update

RESIDENT_AUDIT_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "residence_type",
    "household",
    "node",
    "is_active",
    "left_reason",
    "left_on",
    "left_note",
]
DWELLING_NODE_KINDS = {NodeKind.BUILDING, NodeKind.ENTRANCE}
RESIDENT_NODE_KINDS = {
    NodeKind.GRID,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
    NodeKind.ENTRANCE,
    NodeKind.COMMUNITY,
    NodeKind.HOUSEHOLD_GROUP,
}


def pii_fields(value: str) -> tuple[str, str]:
    """(ciphertext, blind index) of a value; both empty for an empty value."""
    return crypto.encrypt(value), crypto.blind_index(value)


def stored_phone(value: str | None) -> str:
    """A typed phone as stored: its canonical form (``normalise_phone``) once it is checked
    (``phone_input_problem``); "" for none."""
    text = (value or "").strip()
    return (normalise_phone(text) or text) if text else ""


def _check_node(node: Node | None, allowed: set[NodeKind], field: str = "node") -> Node:
    """The node, re-read and locked (see ``node_for_update``), if rows may hang on it."""
    if node is None:
        raise ValidationError(_("必须选择所属区域"), field=field)
    if node.kind not in allowed:
        names = "、".join(str(NodeKind(k).label) for k in sorted(allowed))
        raise ValidationError(_("所属区域应为：{names}").format(names=names), field=field)
    return node_for_update(node)


BIRTH_EARLIEST = date(1900, 1, 1)  # no one living was born earlier
EMPLOYEES_MAX = 2147483647  # the column's (a 32-bit integer) largest value


def _too_long(data: dict[str, Any], errors: dict[str, list[str]], limits: dict[str, tuple[Any, int]]) -> None:
    """Each text field of ``data`` longer (as stored: ``clean_text``) than its column holds:
    "备注最长255个字", for the page, the API and the imports alike (a longer value is cut by
    nothing: SQLite keeps it, PostgreSQL refuses the row)."""
    for field, (label, max_length) in limits.items():
        value = data.get(field)
        if isinstance(value, str) and len(clean_text(value)) > max_length:
            errors.setdefault(field, []).append(
                _("{label}最长{max_length}个字").format(label=label, max_length=max_length)
            )


RESIDENT_LIMITS = {"relation_to_head": (gettext_lazy("与户主关系"), 20), "note": (gettext_lazy("备注"), 255)}
ORGANISATION_LIMITS = {
    "name": (gettext_lazy("单位名称"), 200),
    "address": (gettext_lazy("地址"), 255),
    "contact_name": (gettext_lazy("联系人"), 50),
}


def resident_validate(data: dict[str, Any]) -> dict[str, list[str]]:
    """Every problem of a resident's fields at once (used by forms, API and imports)."""
    errors: dict[str, list[str]] = {}
    name = person_name(data.get("name") or "")
    if not name:
        errors["name"] = [_("姓名不能为空")]
    elif len(name) > 50:
        errors["name"] = [_("姓名最长50个字")]
    id_number = normalise_id_number(data.get("id_number") or "")
    if id_number and (problem := id_number_problem(id_number)):
        errors["id_number"] = [problem]
    phone = (data.get("phone") or "").strip()
    if phone and (problem := phone_input_problem(phone)):
        errors["phone"] = [problem]
    if data.get("gender") and data["gender"] not in Gender.values:
        errors["gender"] = [_("性别只能是男、女或未知")]
    if data.get("residence_type") and data["residence_type"] not in ResidenceType.values:
        errors["residence_type"] = [_("人口类型只能是户籍人口或流动人口")]
    birth = data.get("birth_date")
    if birth and isinstance(birth, date) and birth > date.today():
        errors["birth_date"] = [_("出生日期不能晚于今天")]
    elif birth and isinstance(birth, date) and birth < BIRTH_EARLIEST:
        errors["birth_date"] = [
            _("出生日期不能早于 {day}（是否把年份或数字填进了日期列？）").format(
                day=BIRTH_EARLIEST.isoformat()
            )
        ]
    _too_long(data, errors, RESIDENT_LIMITS)
    return errors


def _resident_apply(resident: Resident, data: dict[str, Any]) -> None:
    if "name" in data:
        resident.name = person_name(data["name"])
    if "id_number" in data:
        id_number = normalise_id_number(data["id_number"] or "")
        resident.id_number_enc, resident.id_number_hash = pii_fields(id_number)
        resident.id_number_masked = crypto.mask_id_number(id_number) if id_number else ""
        if id_number:
            resident.birth_date = id_number_birth_date(id_number)
            resident.gender = id_number_gender(id_number)
    if "phone" in data:
        phone = stored_phone(data["phone"])
        resident.phone_enc, resident.phone_hash = pii_fields(phone)
        resident.phone_masked = crypto.mask_phone(phone) if phone else ""
    for field in ("residence_type", "relation_to_head", "note"):
        if field in data and data[field] is not None:
            setattr(resident, field, clean_text(data[field]))
    if data.get("gender") and not data.get("id_number"):
        resident.gender = data["gender"]
    if data.get("birth_date") and not data.get("id_number"):
        resident.birth_date = data["birth_date"]
    elif "birth_date" in data and data["birth_date"] is None and not data.get("id_number"):
        resident.birth_date = None  # taken off (refused while an ID number gives it)


def _id_taken(actor: Any, id_number: str, exclude_pk: int | None = None) -> str | None:
    """Why the ID number cannot be stored (another resident holds it), or None. One who
    moved out is named as such, with the way back, only to an actor who may see them. The
    answer says whether a number is registered, so it is an ID search
    (``pii.id_holder_checked``: the actor's budget, an audit row naming the holder). Call it
    outside the change's transaction: the audit row must outlive the refusal."""
    if not id_number:
        return None
    qs = Resident.objects.filter(id_number_hash=crypto.blind_index(id_number))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    holder = id_holder_checked(actor=actor, qs=qs)
    if holder is None:
        return None
    if not holder.is_active and can(actor, Capability.REGISTRY_VIEW, holder.node_path):
        return _("该身份证号已登记：{name}已迁出（不在册）；如其迁回，请在其居民页面点“恢复在册”").format(
            name=holder.name
        )
    return _("该身份证号已登记")


def _id_checked(actor: Any, id_number: str, exclude_pk: int | None = None) -> str | None:
    """``_id_taken`` of a well-formed ID number (a malformed one is refused by its shape)."""
    number = normalise_id_number(id_number or "")
    if not number or id_number_problem(number):
        return None
    return _id_taken(actor, number, exclude_pk)


def resident_create(
    *,
    actor: Any,
    node: Node,
    name: str,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: date | None = None,
    residence_type: str = ResidenceType.REGISTERED,
    household: Household | None = None,
    relation_to_head: str = "",
    tags: list[str] | None = None,
    note: str = "",
) -> Resident:
    """Register a resident. Whether the ID number is registered already is asked first, in
    its own transaction (``_id_taken``: counted and audited as an ID search)."""
    taken = resident_id_check(actor=actor, node=node, id_number=id_number)
    return _resident_create(
        actor=actor,
        node=node,
        name=name,
        id_number=id_number,
        phone=phone,
        gender=gender,
        birth_date=birth_date,
        residence_type=residence_type,
        household=household,
        relation_to_head=relation_to_head,
        tags=tags,
        note=note,
        taken=taken,
    )


def resident_id_check(*, actor: Any, node: Node | None, id_number: str) -> str | None:
    """Why a resident registered at ``node`` may not take ``id_number`` (registered already),
    or None; an ID search (``_id_taken``). ``resident_create`` asks it first; a page that runs
    ``resident_create`` inside a transaction of its own (``once.guard``) asks it before, so
    that the audit row is not taken back with the refusal."""
    if node is None or node.kind not in RESIDENT_NODE_KINDS:
        return None  # refused by ``_check_node``
    # Where the node is now: a page may have loaded it before a move, and the actor's scope
    # moved with it (``_resident_create`` then takes it under its lock).
    path = Node.objects.filter(pk=node.pk).values_list("path", flat=True).first() or node.path
    require(actor, Capability.REGISTRY_EDIT, path)
    taken = _id_checked(actor, id_number)
    # The scope read here may be moved by then: the creating transaction reads it afresh.
    forget_scope(actor)
    return taken


@transaction.atomic
def _resident_create(
    *,
    taken: str | None,
    actor: Any,
    node: Node,
    name: str,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: date | None = None,
    residence_type: str = ResidenceType.REGISTERED,
    household: Household | None = None,
    relation_to_head: str = "",
    tags: list[str] | None = None,
    note: str = "",
) -> Resident:
    node = _check_node(node, RESIDENT_NODE_KINDS)
    require(actor, Capability.REGISTRY_EDIT, node.path)
    data = {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "gender": gender,
        "birth_date": birth_date,
        "residence_type": residence_type,
        "relation_to_head": relation_to_head,
        "note": note,
    }
    errors = resident_validate(data)
    if not errors.get("id_number") and taken:
        errors["id_number"] = [taken]
    tag_objs = _tags(tags or [], errors)
    _check_household(household, node, errors)
    if errors:
        raise ValidationError(errors=errors)
    resident = Resident(node=node, node_path=node.path, household=household)
    _resident_apply(resident, data)
    _check_no_twin(actor, resident, node)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as exc:
        raise ValidationError(_("该身份证号已登记"), field="id_number") from exc
    if tag_objs:
        resident.tags.set(tag_objs)
    audit_write(
        actor=actor,
        verb=Verb.RESIDENT_CREATED,
        target=resident,
        node=node,
        after=_resident_audit(resident, RESIDENT_AUDIT_FIELDS),
    )
    return resident


def _community_path(node: Node) -> str:
    """The path of the community ``node`` is in (or is), "" when none."""
    if node.kind == NodeKind.COMMUNITY:
        return node.path
    found = Node.objects.filter(pk__in=node.path_ids, kind=NodeKind.COMMUNITY).values_list("path", flat=True)
    return found.first() or ""


def _twin_refused(actor: Any, twin: Any, why: str, target: str, message: str) -> Conflict:
    """409 naming the registered record (by name and id) to one who may see it."""
    if can(actor, Capability.REGISTRY_VIEW, twin.node_path):
        named = _("{message}：{name}（ID {id}）").format(message=message, name=twin.name, id=twin.pk)
        return Conflict(
            named, detail={"existing": {"type": target, "id": twin.pk, "name": twin.name}, "why": why}
        )
    return Conflict(message, detail={"why": why})


def _check_no_twin(actor: Any, resident: Resident, node: Node) -> None:
    """A resident without an ID number whom an active resident already is, by the imports'
    rule (``exchange.importers.registry.NoIdKey``): the same name and phone in the same
    community, or the same name and birth date in the same household (without one, at the
    same node). Refused (409) naming the registered one, so that a retried or doubled POST
    registers one person once. Called under the node's lock (``_check_node``); the community's
    row is locked too, so that posts at once at two nodes of it take turns."""
    if resident.id_number_hash:
        return
    name = comparable(resident.name)
    candidates = Resident.objects.filter(is_active=True, id_number_hash="")
    if resident.phone_hash:
        community = _community_path(node)
        if not community:
            return
        Node.objects.select_for_update(no_key=True).filter(path=community).first()
        candidates = candidates.filter(phone_hash=resident.phone_hash, node_path__startswith=community)
        why = _("姓名和联系电话相同")
    elif resident.birth_date is not None:
        candidates = candidates.filter(birth_date=resident.birth_date)
        if resident.household_id:
            candidates = candidates.filter(household_id=resident.household_id)
            why = _("姓名、出生日期和户编码相同")
        else:
            candidates = candidates.filter(node_path=resident.node_path)
            why = _("姓名、出生日期和所属区域相同")
    else:
        return
    for twin in candidates.only("pk", "name", "node_path").order_by("pk"):
        if comparable(twin.name) == name:
            message = _("与已登记的居民重复（{why}）；如确为不同的人，请填写身份证号").format(why=why)
            raise _twin_refused(actor, twin, why, "registry.resident", message)


def _tags(codes: list[str], errors: dict[str, list[str]]) -> list[ResidentTag]:
    if not codes:
        return []
    found = {t.code: t for t in ResidentTag.objects.filter(code__in=codes)}
    found.update({t.name: t for t in ResidentTag.objects.filter(name__in=codes)})
    missing = [c for c in codes if c not in found]
    if missing:
        errors["tags"] = [_("未知的标签：{missing}").format(missing="、".join(missing))]
    return [found[c] for c in codes if c in found]


RESIDENT_CHANGEABLE = {
    "name",
    "id_number",
    "phone",
    "gender",
    "birth_date",
    "residence_type",
    "household",
    "relation_to_head",
    "note",
    "tags",
    "node",
    "is_active",
    "left_reason",
    "left_on",
    "left_note",
}
LEAVING_FIELDS = ("left_reason", "left_on", "left_note")


def _check_unchanged(resident: Resident, expected_updated_at: datetime | None) -> None:
    """``Conflict`` when someone changed the (locked) row since the editor read it."""
    if expected_updated_at is not None and resident.updated_at != expected_updated_at:
        raise Conflict(_("该居民信息已被他人修改，请刷新页面后重新填写"))


def _born_as_the_id_says(resident: Resident, changes: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """With an ID number birth date and gender are its own, never stored next to it
    disagreeing. (At registration, as in the imports, the ID number's facts simply win.)

    - An ID number typed in this change: a birth date or gender disagreeing with it is
      refused (the editor typed the number, so the answer tells them nothing new).
    - The stored one: a birth date sent is refused whatever its value, set or cleared ("出生
      日期由身份证号确定，不能单独修改"). An answer that depended on the value would confirm the
      holder's full birth date to anyone trying the days of a year, and with the masked ID
      number (first three and last four kept) and the district code that is the number
      itself, unaudited. A gender other than the stored one (which follows the number, and
      whose digit the masked number shows) is refused likewise."""
    if errors.get("id_number"):
        return
    if "id_number" in changes:
        typed = normalise_id_number(changes["id_number"] or "")
        if not typed:
            return
        born = changes.get("birth_date")
        if "birth_date" in changes and born is None:
            errors.setdefault("birth_date", []).append(_("有身份证号时出生日期以身份证号为准，不能清除"))
        elif isinstance(born, date) and born != id_number_birth_date(typed):
            errors.setdefault("birth_date", []).append(_("出生日期与身份证号不一致（以身份证号为准）"))
        gender = changes.get("gender")
        if gender in (Gender.MALE, Gender.FEMALE) and gender != id_number_gender(typed):
            errors.setdefault("gender", []).append(_("性别与身份证号不一致（以身份证号为准）"))
        return
    if not resident.id_number_enc:
        return
    if "birth_date" in changes:  # the one answer, whatever the value (and no range check's)
        errors["birth_date"] = [_("出生日期由身份证号确定，不能单独修改")]
    if changes.get("gender") and changes["gender"] != resident.gender:
        errors.setdefault("gender", []).append(_("性别由身份证号确定，不能单独修改"))


# What a change of a resident may alter, as stored: equal before and after, nothing changed.
RESIDENT_STATE = (
    "name",
    "gender",
    "birth_date",
    "id_number_hash",
    "phone_hash",
    "residence_type",
    "relation_to_head",
    "note",
    "node_id",
    "household_id",
    "is_active",
    "left_reason",
    "left_on",
    "left_note",
)


def _state(resident: Resident) -> tuple[Any, ...]:
    return tuple(getattr(resident, field) for field in RESIDENT_STATE)


def _check_household(household: Household | None, node: Node, errors: dict[str, list[str]]) -> None:
    if household is None:
        return
    if not _same_area(household.node_path, node.path):
        errors["household"] = [_("户与居民不在同一区域")]


def _same_area(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _resident_audit(resident: Resident, fields: list[str] | None = None) -> dict[str, Any]:
    """What an audit row of a resident keeps: the masked PII only, never the clear values;
    the birth date as its year (``audit_birth``); tags by their names and the household by
    its 户编码, as a reader knows them."""
    tags = sorted(resident.tags.values_list("name", flat=True))
    household = resident.household.code if resident.household_id and resident.household else None
    fields = fields or [*RESIDENT_AUDIT_FIELDS, "relation_to_head", "note"]
    data = snapshot(resident, fields) | {
        "tags": tags,
        "household": household,
    }
    if "birth_date" in data:
        data["birth_date"] = audit_birth(resident.birth_date)
    return data


def audit_birth(born: date | None) -> int | None:
    """The birth date as an audit row keeps it: the year alone, as every page shows it
    (``pii.reduce_birth``). The full date is part of the audited reveal: next to the masked
    ID number (which hides the birth date) it would give the number back to the auditor."""
    return born.year if born is not None else None


def _leaving(resident: Resident, changes: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The register-leaving fields to store: why (迁出 by default), when (today by default;
    not in the future, not before birth) and where to or why else (needed for 其他) when the
    resident leaves; all cleared on 恢复在册; correctable while not in the register."""
    active = bool(changes.get("is_active", resident.is_active))
    given = {f: changes[f] for f in LEAVING_FIELDS if f in changes and changes[f] not in (None, "")}
    if active:
        if given:
            errors.setdefault("left_reason", []).append(_("在册居民不能填写注销原因、日期或去向"))
        return {"left_reason": "", "left_on": None, "left_note": ""} if not resident.is_active else {}
    if not resident.is_active and not given:
        return {}  # out of the register already, and nothing about it is corrected
    reason = str(given.get("left_reason", resident.left_reason or LeftReason.MOVED_OUT))
    left_on = given.get("left_on", resident.left_on or timezone.localdate())
    note = clean_text(str(given.get("left_note", resident.left_note)))
    if reason not in LeftReason.values:
        errors.setdefault("left_reason", []).append(_("注销原因应为：迁出、死亡或其他"))
    if not isinstance(left_on, date):
        errors.setdefault("left_on", []).append(_("注销日期格式应为 YYYY-MM-DD"))
    elif left_on > timezone.localdate():
        errors.setdefault("left_on", []).append(_("注销日期不能晚于今天"))
    elif resident.birth_date and left_on < resident.birth_date:
        errors.setdefault("left_on", []).append(_("注销日期不能早于出生日期"))
    if len(note) > 255:
        errors.setdefault("left_note", []).append(
            _("去向或说明最多255个字（现为{count}个字）").format(count=len(note))
        )
    elif reason == LeftReason.OTHER and not note:
        errors.setdefault("left_note", []).append(_("注销原因为“其他”时请填写说明"))
    return {"left_reason": reason, "left_on": left_on, "left_note": note}


def resident_update(
    *, actor: Any, resident: Resident, expected_updated_at: datetime | None = None, **changes: Any
) -> Resident:
    """Change the named fields (absent ones stay). ``expected_updated_at``: the row's
    ``updated_at`` when the editor read it; another change since then is a ``Conflict``.
    A new ID number is checked first, in its own transaction (``_id_taken``)."""
    taken = None
    if changes.get("id_number") and not set(changes) - RESIDENT_CHANGEABLE:
        require(actor, Capability.REGISTRY_EDIT, resident.node_path)
        taken = _id_checked(actor, changes["id_number"], resident.pk)
    return _resident_update(
        actor=actor, resident=resident, expected_updated_at=expected_updated_at, taken=taken, **changes
    )


@transaction.atomic
def _resident_update(
    *,
    actor: Any,
    resident: Resident,
    expected_updated_at: datetime | None = None,
    taken: str | None = None,
    **changes: Any,
) -> Resident:
    unknown = set(changes) - RESIDENT_CHANGEABLE
    if unknown:
        raise ValidationError(_("不能修改这些字段：{unknown}").format(unknown="、".join(sorted(unknown))))
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    require(actor, Capability.REGISTRY_EDIT, resident.node_path)
    _check_unchanged(resident, expected_updated_at)
    was_active = resident.is_active
    data = {"name": resident.name} | changes
    errors = resident_validate(data)
    if taken and not errors.get("id_number"):
        errors["id_number"] = [taken]
    _born_as_the_id_says(resident, changes, errors)
    if "is_active" in changes and not changes["is_active"] and not resident.is_active:
        # Moving out one who has already moved out (a second 迁出 approved after the first).
        raise ValidationError(_("该居民已迁出（不在册），不能再次办理迁出"), field="is_active")
    leaving = _leaving(resident, changes, errors)
    tag_objs = _tags(changes["tags"], errors) if "tags" in changes else None
    new_node = changes.get("node")
    if new_node is not None:
        new_node = _check_node(new_node, RESIDENT_NODE_KINDS)
        require(actor, Capability.REGISTRY_EDIT, new_node.path)
    if "household" in changes:
        household = changes["household"]
        if household is not None:
            require(actor, Capability.REGISTRY_EDIT, household.node_path)
        _check_household(household, new_node or resident.node, errors)
    elif new_node is not None:
        _check_household(resident.household, new_node, errors)
    if errors:
        raise ValidationError(errors=errors)
    before = _resident_audit(resident)
    state = _state(resident)
    _resident_apply(resident, changes)
    if new_node is not None:
        resident.node, resident.node_path = new_node, new_node.path
    if "household" in changes:
        resident.household = changes["household"]
    if "is_active" in changes:
        resident.is_active = bool(changes["is_active"])
    for field, value in leaving.items():
        setattr(resident, field, value)
    # A typed ID number or phone counts as a change even when it is the stored one: "nothing
    # changed" would otherwise tell the editor that a guessed number is the stored one.
    typed = any(changes.get(field) for field in ("id_number", "phone"))
    tags_same = tag_objs is None or (
        {t.pk for t in tag_objs} == set(resident.tags.values_list("pk", flat=True))
    )
    if not typed and tags_same and _state(resident) == state:
        return resident  # nothing changed: no save (the version stays), no audit row
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError as exc:  # a concurrent registration of the same number won
        raise ValidationError(_("该身份证号已登记"), field="id_number") from exc
    if tag_objs is not None:
        resident.tags.set(tag_objs)
    after = _resident_audit(resident)
    if was_active and not resident.is_active:
        resident.left_consequences = tuple(_left_consequences(actor, resident))
        after["left_consequences"] = list(resident.left_consequences)
    audit_write(
        actor=actor,
        verb=Verb.RESIDENT_UPDATED,
        target=resident,
        node=resident.node,
        before=before,
        after=after,
    )
    return resident


def _left_consequences(actor: Any, resident: Resident) -> list[str]:
    """What stops with a resident who leaves the register, in the same transaction: a dead
    person's own sign-in (an H5 account of one who moved away stays, to follow their
    requests), and what each app registered as ``resident_left`` on its AppConfig (a dotted
    path to ``f(*, actor, resident) -> list[str]``: gridwork ends the care plans, volunteers
    suspends the volunteer record). Returns what was done, in words, for the audit row and
    the page's message."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    from civicgrid.accounts.constants import Verb as AccountVerb
    from civicgrid.accounts.models import User

    done: list[str] = []
    if resident.left_reason == LeftReason.DECEASED:
        user = (
            User.objects.select_for_update()
            .filter(resident_account__resident=resident, is_active=True)
            .first()
        )
        if user is not None:
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit_write(
                actor=actor,
                verb=AccountVerb.USER_CHANGED,
                target=user,
                before={"is_active": True},
                after={"is_active": False, "reason": resident.left_summary},
            )
            done.append(str(_("居民账号已停用")))
    for config in apps.get_app_configs():
        if path := getattr(config, "resident_left", None):
            done.extend(import_string(path)(actor=actor, resident=resident))
    return done


@transaction.atomic
def resident_reveal_pii(*, actor: Any, resident: Resident) -> dict[str, str]:
    """The clear ID number and phone and the full birth date (everywhere else the birth year
    only, ``pii.reduce_birth``), for roles allowed to see them; always audited."""
    require(actor, Capability.PII_VIEW, resident.node_path)
    audit_write(
        actor=actor,
        verb=Verb.RESIDENT_PII_VIEWED,
        target=resident,
        node=resident.node,
        after={"fields": ["id_number", "phone", "birth_date"]},
    )
    born = Resident.objects.filter(pk=resident.pk).values_list("birth_date", flat=True).first()
    return {
        "id_number": crypto.decrypt(resident.id_number_enc),
        "phone": crypto.decrypt(resident.phone_enc),
        "birth_date": born.isoformat() if born else "",
    }


def resident_reveal(*, actor: Any, resident_id: int) -> dict[str, str]:
    """``resident_reveal_pii`` of a resident the actor may see, by id. A refused attempt (404:
    not visible or no such resident; 403: visible but no ``PII_VIEW`` there) is audited too
    (``Verb.RESIDENT_PII_REFUSED``), in its own transaction, then refused as before."""
    from civicgrid.registry.selectors import resident_get

    resident = None
    try:
        resident = resident_get(actor, resident_id)
        return resident_reveal_pii(actor=actor, resident=resident)
    except (NotFound, PermissionDenied) as exc:
        with transaction.atomic():
            audit_write(
                actor=actor,
                verb=Verb.RESIDENT_PII_REFUSED,
                target_type="registry.resident",
                target_id=str(resident_id),
                target_label=resident.name if resident is not None else "",
                node=resident.node if resident is not None else None,
                after={"status": exc.http_status},
            )
        raise


# --- dwellings and households -----------------------------------------------------------


def next_code(prefix: str, model: type[Dwelling] | type[Household], width: int = 4) -> str:
    existing = model.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in existing if c[len(prefix) :].isdecimal()]
    return f"{prefix}{(max(numbers, default=0) + 1):0{width}d}"


@transaction.atomic
def dwelling_create(
    *, actor: Any, node: Node, room: str, use: str, area: Any = None, owner_name: str = "", code: str = ""
) -> Dwelling:
    node = _check_node(node, DWELLING_NODE_KINDS)
    require(actor, Capability.REGISTRY_EDIT, node.path)
    errors: dict[str, list[str]] = {}
    room = fold(room)  # as the imports keep it: "１单元301" is "1单元301"
    if not room:
        errors["room"] = [_("房号不能为空")]
    if use not in DwellingUse.values:
        errors["use"] = [_("使用情况只能是自住、出租或空置")]
    if area not in (None, "") and (not _is_number(area) or float(area) <= 0 or float(area) > 100000):
        errors["area"] = [_("面积应为大于0的数字")]
    code = fold(code).upper() or next_code(f"{node.code}F", Dwelling)
    if Dwelling.objects.filter(code=code).exists():
        errors["code"] = [_("房屋编码 {code} 已存在").format(code=code)]
    if errors:
        raise ValidationError(errors=errors)
    dwelling = Dwelling.objects.create(
        node=node,
        node_path=node.path,
        code=code,
        room=room,
        use=use,
        area=area or None,
        owner_name=person_name(owner_name),
    )
    audit_write(
        actor=actor,
        verb=Verb.DWELLING_CREATED,
        target=dwelling,
        node=node,
        after=snapshot(dwelling, ["code", "room", "use", "area", "node"]),
    )
    return dwelling


def dwelling_validate(data: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Every problem of the given fields of a dwelling at once (``use``, ``room``, ``area``,
    ``owner_name``), and their values as stored (an empty area as None)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if "use" in data:
        if data["use"] not in DwellingUse.values:
            errors["use"] = [_("使用情况只能是自住、出租或空置")]
        values["use"] = data["use"]
    if "room" in data:
        values["room"] = fold(data["room"] or "")
        if not values["room"]:
            errors["room"] = [_("房号不能为空")]
        elif len(values["room"]) > 50:
            errors["room"] = [_("房号最长50个字")]
    if "area" in data:
        values["area"] = decimal_value(
            data["area"],
            errors=errors,
            field="area",
            label=_("面积（㎡）"),
            column=Dwelling._meta.get_field("area"),
            minimum=Decimal("0.01"),
            required=False,
        )
    if "owner_name" in data:
        values["owner_name"] = person_name(data["owner_name"] or "")
        if len(values["owner_name"]) > 50:
            errors["owner_name"] = [_("产权人最长50个字")]
    return errors, values


DWELLING_AUDIT_FIELDS = ["room", "use", "area", "owner_name", "node"]
_UNSET: Any = object()


@transaction.atomic
def dwelling_update(
    *,
    actor: Any,
    dwelling: Dwelling,
    use: str | None = None,
    room: str | None = None,
    area: Any = _UNSET,
    owner_name: str | None = None,
    node: Node | None = None,
    expected_updated_at: datetime | None = None,
) -> Dwelling:
    """Change the given fields (None, or for ``area`` absent, keeps one; an empty ``area``
    takes it off). ``node``: another building or entrance in the actor's scope.
    ``expected_updated_at``: the row's ``updated_at`` when the editor read it; another change
    since then is a ``Conflict``. Every bad field is reported at once, nothing is changed."""
    dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    require(actor, Capability.REGISTRY_EDIT, dwelling.node_path)
    if expected_updated_at is not None and dwelling.updated_at != expected_updated_at:
        raise Conflict(_("该房屋信息已被他人修改，请刷新页面后重新填写"))
    before = snapshot(dwelling, DWELLING_AUDIT_FIELDS)
    given = {"use": use, "room": room, "owner_name": owner_name}
    if area is not _UNSET:
        given["area"] = area
    errors, values = dwelling_validate({k: v for k, v in given.items() if v is not None or k == "area"})
    if node is not None and node.pk != dwelling.node_id:
        if Household.objects.filter(dwelling=dwelling).exists():
            # Its households (and their residents) are scoped where the dwelling was.
            errors["node"] = [_("该房屋已登记户，不能移动；请先调整户和居民")]
        try:
            node = _check_node(node, DWELLING_NODE_KINDS)
            require(actor, Capability.REGISTRY_EDIT, node.path)
        except (ValidationError, PermissionDenied) as exc:
            errors.setdefault("node", []).append(exc.message)
    else:
        node = None
    if errors:
        raise ValidationError(errors=errors)
    for field, value in values.items():
        setattr(dwelling, field, value)
    if node is not None:
        dwelling.node, dwelling.node_path = node, node.path
    dwelling.save()
    audit_write(
        actor=actor,
        verb=Verb.DWELLING_UPDATED,
        target=dwelling,
        node=dwelling.node,
        before=before,
        after=snapshot(dwelling, DWELLING_AUDIT_FIELDS),
    )
    return dwelling


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


@transaction.atomic
def household_create(
    *,
    actor: Any,
    node: Node,
    dwelling: Dwelling | None = None,
    head_name: str = "",
    household_group: Node | None = None,
    code: str = "",
) -> Household:
    if dwelling is not None:
        node = dwelling.node
    node = _check_node(node, RESIDENT_NODE_KINDS)
    require(actor, Capability.REGISTRY_EDIT, node.path)
    if household_group is not None and household_group.kind != NodeKind.HOUSEHOLD_GROUP:
        raise ValidationError(_("十联户必须选择十联户节点"), field="household_group")
    code = fold(code).upper() or next_code(f"{node.code}H", Household)
    if Household.objects.filter(code=code).exists():
        raise ValidationError(_("户编码 {code} 已存在").format(code=code), field="code")
    household = Household.objects.create(
        node=node,
        node_path=node.path,
        dwelling=dwelling,
        code=code,
        head_name=person_name(head_name),
        household_group=household_group,
    )
    audit_write(
        actor=actor,
        verb=Verb.HOUSEHOLD_CREATED,
        target=household,
        node=node,
        after=snapshot(household, ["code", "dwelling", "head_name", "household_group"]),
    )
    return household


# --- organisations ---------------------------------------------------------------------


def organisation_validate(data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not clean_text(data.get("name") or ""):
        errors["name"] = [_("单位名称不能为空")]
    if data.get("kind") not in OrganisationKind.values:
        labels = [str(label) for label in OrganisationKind.labels]
        errors["kind"] = [
            _("单位类型只能是{names}或{last}").format(names="、".join(labels[:-1]), last=labels[-1])
        ]
    credit_code = normalise_credit_code(data.get("credit_code") or "")
    if credit_code and (problem := credit_code_problem(credit_code)):
        errors["credit_code"] = [problem]
    phone = (data.get("contact_phone") or "").strip()
    if phone and (problem := phone_input_problem(phone)):
        errors["contact_phone"] = [problem]
    employees = data.get("employees")
    if employees not in (None, "") and (not str(employees).isdecimal()):
        errors["employees"] = [_("从业人数应为非负整数")]
    elif employees not in (None, "") and int(str(employees)) > EMPLOYEES_MAX:
        errors["employees"] = [_("从业人数不能超过{max}").format(max=EMPLOYEES_MAX)]
    _too_long(data, errors, ORGANISATION_LIMITS)
    return errors


def _check_no_organisation_twin(actor: Any, node: Node, name: str, address: str) -> None:
    """Without a credit code, one name at one address in one area is one organisation (the
    import's rule): another is refused (409) naming the registered one. Called under the
    node's lock (``node_for_update``), so that posts at once register it once."""
    wanted = (comparable(clean_text(name)), comparable(clean_text(address)))
    registered = Organisation.objects.filter(node_id=node.pk, credit_code="").only(
        "pk", "name", "address", "node_path"
    )
    for twin in registered.order_by("pk"):
        if (comparable(twin.name), comparable(twin.address)) == wanted:
            why = _("同一区域、同名同地址，未填统一社会信用代码")
            message = _("该单位已登记（{why}）").format(why=why)
            raise _twin_refused(actor, twin, why, "registry.organisation", message)


@transaction.atomic
def organisation_create(
    *,
    actor: Any,
    node: Node,
    name: str,
    kind: str,
    credit_code: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    employees: int | None = None,
) -> Organisation:
    if node is None:
        raise ValidationError(_("必须选择所属区域"), field="node")
    node = node_for_update(node)
    require(actor, Capability.REGISTRY_EDIT, node.path)
    data = {
        "name": name,
        "kind": kind,
        "credit_code": credit_code,
        "address": address,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "employees": employees,
    }
    errors = organisation_validate(data)
    credit_code = normalise_credit_code(credit_code)
    if (
        credit_code
        and not errors.get("credit_code")
        and Organisation.objects.filter(credit_code=credit_code).exists()
    ):
        errors["credit_code"] = [_("该统一社会信用代码已登记")]
    if errors:
        raise ValidationError(errors=errors)
    if not credit_code:
        _check_no_organisation_twin(actor, node, name, address)
    phone = stored_phone(contact_phone)
    enc, digest = pii_fields(phone)
    org = Organisation(
        node=node,
        node_path=node.path,
        name=clean_text(name),
        kind=kind,
        credit_code=credit_code,
        address=clean_text(address),
        contact_name=person_name(contact_name),
        contact_phone_enc=enc,
        contact_phone_hash=digest,
        contact_phone_masked=crypto.mask_phone(phone) if phone else "",
        employees=employees or None,
    )
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:
        raise ValidationError(_("该统一社会信用代码已登记"), field="credit_code") from exc
    audit_write(
        actor=actor,
        verb=Verb.ORGANISATION_CREATED,
        target=org,
        node=node,
        after=snapshot(org, ["name", "kind", "credit_code", "address", "node"]),
    )
    return org


@transaction.atomic
def organisation_reveal_pii(*, actor: Any, organisation: Organisation) -> dict[str, str]:
    require(actor, Capability.PII_VIEW, organisation.node_path)
    audit_write(
        actor=actor,
        verb=Verb.ORGANISATION_PII_VIEWED,
        target=organisation,
        node=organisation.node,
        after={"fields": ["contact_phone"]},
    )
    return {"contact_phone": crypto.decrypt(organisation.contact_phone_enc)}


def resident_account_open(
    *, actor: Any, resident: Resident, username: str, password: str, first_password: bool = False
) -> Any:
    """Open a resident's own sign-in (for H5 pages); the community worker of their place does it.

    ``first_password``: the worker chose the password on the resident's page, so it must meet
    the password rules and the resident changes it at the first sign-in. The demo opens its
    published logins without (length check only)."""
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError as DjangoValidationError

    from civicgrid.accounts.models import User
    from civicgrid.accounts.services import user_create
    from civicgrid.registry.models import ResidentAccount

    require(actor, Capability.REGISTRY_EDIT, resident.node_path)
    if not resident.is_active:
        raise ValidationError(field="resident", message=_("该居民已迁出，不能开通账号"))
    if ResidentAccount.objects.filter(resident=resident).exists():
        raise ValidationError(field="resident", message=_("该居民已有账号"))
    if first_password:
        try:
            password_validation.validate_password(
                password, User(username=username.strip(), full_name=resident.name)
            )
        except DjangoValidationError as exc:
            raise ValidationError(errors={"password": [str(m) for m in exc.messages]}) from None
    with transaction.atomic():
        user = user_create(
            actor=None, username=username, password=password, full_name=resident.name, system=True
        )
        if first_password:
            user.must_change_password = True
            user.save(update_fields=["must_change_password"])
        ResidentAccount.objects.create(user=user, resident=resident)
        audit_write(
            actor=actor,
            verb=Verb.RESIDENT_ACCOUNT_OPENED,
            target=resident,
            node=resident.node,
            after={"username": user.username},
        )
    return user
