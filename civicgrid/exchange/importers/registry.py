"""Importers of the registry: residents (with their households and tags), dwellings, organisations.

Each row is checked with the registry's own validators (``resident_validate``,
``organisation_validate``) and the ID-number / credit-code rules of ``core.validators``;
PII is prepared exactly as ``registry.services`` prepares it (encrypted, blind-indexed,
masked) before the rows are written in bulk.

A resident is one row of a file and one entry of the registry: by ID number, or, for those
without one, by name and phone, or by name, birth date and household (or node, without a
household): a second such row is refused naming the first, and so is a row matching an
active resident of the same community (``NoIdKey``). A row with a name alone (no ID number,
phone or birth date) is refused when another row has that name at the same place (household,
or node), or an active resident of that name is registered there (``Placed``). A row's 性别 or 出生日期 that
contradicts its ID number is refused naming the column (blank takes the ID number's).
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_paths
from civicgrid.core import bulk, crypto
from civicgrid.core.validators import fold, id_number_birth_date, id_number_gender, normalise_id_number
from civicgrid.exchange.cells import comparable, credit_code_cell, id_number_cell
from civicgrid.exchange.columns import TAG_SEPARATORS
from civicgrid.exchange.constants import BATCH_SIZE
from civicgrid.exchange.importers.base import LOOKUP_CHUNK, Importer, Progress, RowError, chunked
from civicgrid.exchange.importers.updates import (
    Update,
    apply_updates,
    counted,
    differences,
    given,
    planned_update,
)
from civicgrid.exchange.models import ImportKind
from civicgrid.exchange.readers import Row
from civicgrid.registry.constants import SENSITIVE_TAGS, Verb
from civicgrid.registry.models import (
    Dwelling,
    DwellingUse,
    Gender,
    Household,
    Organisation,
    ResidenceType,
    Resident,
    ResidentTag,
)
from civicgrid.registry.pii import import_id_holders_checked, limited_message
from civicgrid.registry.services import (
    DWELLING_NODE_KINDS,
    RESIDENT_NODE_KINDS,
    _resident_apply,
    organisation_validate,
    pii_fields,
    resident_validate,
)
from civicgrid.territory.models import Node, NodeKind

RESIDENT_FIELDS = {
    "name": "name",
    "id_number": "id_number",
    "phone": "phone",
    "gender": "gender",
    "birth_date": "birth_date",
    "residence_type": "residence_type",
    "household": "household_code",
    "tags": "tags",
}
HEAD_RELATIONS = {"户主", "本人"}
RESIDENT_PHONE_FIELDS = ("phone_enc", "phone_hash", "phone_masked")

# i18n: data (the year form the resident export writes, registry.pii.birth_text)
YEAR_ONLY_RE = re.compile(r"^\d{4}年$")


def _born_as_the_id_says(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """A row's 性别 or 出生日期 that contradicts its ID number is an error naming the column,
    worded as the registry's edit page refuses it; before, the ID number's facts silently
    replaced the file's. A blank cell, or 未知, still takes them from the ID number."""
    if errors.get("id_number"):
        return
    id_number = normalise_id_number(str(data.get("id_number") or ""))
    if len(id_number) != 18:
        return
    born = data.get("birth_date")
    if isinstance(born, date) and not errors.get("birth_date") and born != id_number_birth_date(id_number):
        errors.setdefault("birth_date", []).append(_("出生日期与身份证号不一致（以身份证号为准）"))
    gender = data.get("gender")
    if gender in (Gender.MALE, Gender.FEMALE) and gender != id_number_gender(id_number):
        errors.setdefault("gender", []).append(_("性别与身份证号不一致（以身份证号为准）"))


def _same_area(path_a: str, path_b: str) -> bool:
    return path_a.startswith(path_b) or path_b.startswith(path_a)


@dataclass(frozen=True)
class NoIdKey:
    """What tells a resident without an ID number from others: the name with the phone's blind
    index, or the name with the birth date and the household code ("" without one)."""

    name: str
    phone_hash: str = ""
    birth_date: date | None = None
    household_code: str = ""
    node_path: str = ""  # the row's node, when it names no household

    def why(self) -> str:
        if self.phone_hash:
            return _("姓名和联系电话相同")
        if self.household_code:
            return _("姓名、出生日期和户编码相同")
        return _("姓名、出生日期和所属区域相同")

    def lookup(self) -> tuple[str, str, date | None]:
        return (self.name, self.phone_hash, None if self.phone_hash else self.birth_date)

    def matches(self, other: "NoIdKey", path: str, other_path: str, community: str) -> bool:
        """Whether a registered resident (``other``, at ``other_path``) is this row's person."""
        if self.phone_hash:
            return bool(community) and other_path.startswith(community)
        if self.household_code:
            return other.household_code == self.household_code
        return other_path == path


def no_id_key(resident: Resident, household_code: str) -> NoIdKey | None:
    name = comparable(resident.name)
    if resident.phone_hash:
        return NoIdKey(name, phone_hash=resident.phone_hash)
    if resident.birth_date is not None:
        path = "" if household_code else resident.node_path
        return NoIdKey(name, birth_date=resident.birth_date, household_code=household_code, node_path=path)
    return None


def _communities(paths: set[str]) -> set[str]:
    """The paths of the communities on the way to these paths."""
    ids = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    found: set[str] = set()
    for batch in chunked(sorted(map(str, ids))):
        rows = Node.objects.filter(pk__in=[int(i) for i in batch], kind=NodeKind.COMMUNITY)
        found.update(rows.values_list("path", flat=True))
    return found


def _community_of(path: str, communities: set[str]) -> str:
    return next((c for c in communities if path.startswith(c)), "")


def _registered_like(keys: list[NoIdKey]) -> dict[tuple[str, str, date | None], list[tuple[NoIdKey, str]]]:
    """Active residents sharing a phone, or a birth date, with the keys; by ``NoIdKey.lookup``."""
    found: dict[tuple[str, str, date | None], list[tuple[NoIdKey, str]]] = {}
    fields = ("name", "phone_hash", "birth_date", "node_path", "household__code")
    phones = sorted({k.phone_hash for k in keys if k.phone_hash})
    births = sorted({k.birth_date.isoformat() for k in keys if not k.phone_hash and k.birth_date})
    queries = [("phone_hash__in", batch) for batch in chunked(phones)]
    queries += [("birth_date__in", batch) for batch in chunked(births)]
    for lookup, batch in queries:
        for name, phone_hash, born, path, household in Resident.objects.filter(
            is_active=True, **{lookup: batch}
        ).values_list(*fields):
            if lookup == "phone_hash__in":
                other = NoIdKey(comparable(name), phone_hash=phone_hash)
            else:
                other = NoIdKey(comparable(name), birth_date=born, household_code=household or "")
            found.setdefault(other.lookup(), []).append((other, path))
    return found


@dataclass(frozen=True)
class Placed:
    """A resident row (or a registered resident, ``row`` 0) by who and where: the name as
    compared (``comparable``), the household code ("" without one) and the node's path."""

    row: int
    name: str
    household_code: str
    node_path: str

    def same_person(self, other: "Placed") -> bool:
        """The same name at the same place: the same household, or, where either names none,
        the same node (grid, building, entrance… as the row's 区域编码 resolves)."""
        if self.name != other.name:
            return False
        if self.household_code and other.household_code:
            return self.household_code == other.household_code
        return self.node_path == other.node_path

    def why(self) -> str:
        return _("姓名和户编码相同") if self.household_code else _("姓名和所属区域相同")


def _registered_at(rows: list[Placed]) -> list[Placed]:
    """The active residents at the rows' nodes or in their households."""
    found: dict[int, Placed] = {}
    fields = ("pk", "name", "household__code", "node_path")
    paths = sorted({p.node_path for p in rows})
    codes = sorted({p.household_code for p in rows if p.household_code})
    queries = [("node_path__in", batch) for batch in chunked(paths)]
    queries += [("household__code__in", batch) for batch in chunked(codes)]
    for lookup, batch in queries:
        for pk, name, household, path in Resident.objects.filter(
            is_active=True, **{lookup: batch}
        ).values_list(*fields):
            found[pk] = Placed(0, comparable(name), household or "", path)
    return list(found.values())


class ResidentImporter(Importer):
    kind = ImportKind.RESIDENTS
    edit_capability = Capability.REGISTRY_EDIT

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.load_nodes(self.code(row, "node_code") for row in rows)
        self.tags: dict[str, ResidentTag] = {}
        for tag in ResidentTag.objects.all():
            self.tags[tag.code] = tag
            self.tags.setdefault(tag.name, tag)
        self._view_paths = scope_paths(self.actor, Capability.REGISTRY_VIEW)
        self.households = self._existing_households({self.code(row, "household_code") for row in rows})
        self.new_households: dict[str, Household] = {}
        self.residents: list[tuple[Resident, str, list[ResidentTag]]] = []
        self.id_rows: dict[str, int] = {}
        self.no_id_rows: dict[NoIdKey, int] = {}
        self.no_id_checks: list[tuple[int, NoIdKey, str]] = []  # (row, key, node path)
        self.placed: list[Placed] = []  # every good row: who, where
        self.bare: list[Placed] = []  # new rows without ID number, phone or birth date
        self.registered = self._registered_by_id(rows)
        self.pii_limited = not self._holders_checked()
        self.updates: list[Update] = []
        self.update_tags: dict[int, list[ResidentTag]] = {}  # resident pk → the tags a row sets
        self.update_households: dict[int, str] = {}  # resident pk → the household code a row sets
        self.unchanged = 0
        for row in self.each(rows, progress):
            self._validate_row(row)
        if not self.pii_limited:
            self._check_ids_taken()
        self._check_no_id_registered()
        self._check_bare()
        return self.sorted_errors()

    def _holders_checked(self) -> bool:
        """The file's ID numbers that residents outside the actor's edit scope hold are
        refused as registered elsewhere, which tells that they are: an ID search each
        (``pii.import_id_holders_checked``: audited and counted against the actor's budget,
        as a registration is). Past the budget none of it is told: the holders are dropped
        (their rows would read as new) and the import is refused as a whole."""
        first_rows: dict[str, int] = {}
        for number, digest in sorted(self.id_digests.items()):
            first_rows.setdefault(digest, number)
        outside = sorted(
            ((first_rows[digest], holder) for digest, holder in self.registered.items()),
            key=lambda pair: pair[0],
        )
        outside = [(row, holder) for row, holder in outside if not self.may_write(holder.node_path)]
        in_scope = {d for d, holder in self.registered.items() if self.may_write(holder.node_path)}
        checking = any(digest not in in_scope for digest in first_rows)
        if import_id_holders_checked(actor=self.actor, holders=outside, checking=checking):
            return True
        for _row, holder in outside:
            self.registered.pop(holder.id_number_hash, None)
        self.error(min(first_rows.values()), "id_number", limited_message())
        return False

    def _registered_by_id(self, rows: list[Row]) -> dict[str, Resident]:
        """The registered residents whose ID numbers the file holds, by blind index: a row
        naming one updates that resident (a community's own yearly sheet, with full ID
        numbers; an export writes them masked, which no row can match). Each row's blind
        index is kept in ``id_digests`` (one HMAC per row, reused by ``_validate_row``)."""
        header = self.header("id_number")
        self.id_digests: dict[int, str] = {}
        for row in rows:
            value, problem = id_number_cell(row.values.get("id_number", ""), header)
            if value and problem is None:
                self.id_digests[row.number] = crypto.blind_index(value)
        found: dict[str, Resident] = {}
        for batch in chunked(sorted(set(self.id_digests.values()))):
            registered = Resident.objects.filter(id_number_hash__in=batch)
            for resident in registered.select_related("node", "household").prefetch_related("tags"):
                found[resident.id_number_hash] = resident
        return found

    def _existing_households(self, codes: set[str]) -> dict[str, Household]:
        found: dict[str, Household] = {}
        for batch in chunked(sorted(c for c in codes if c)):
            for household in Household.objects.filter(code__in=batch).only("id", "code", "node_path"):
                found[household.code] = household
        return found

    def _validate_row(self, row: Row) -> None:
        node = self.target_node(row, kinds=RESIDENT_NODE_KINDS)
        id_number = self.id_number(row)
        # A row with a registered ID number updates that resident; its phone cell may hold
        # the stored mask (a sheet filled from the resident's page), which keeps the phone.
        digest = self.id_digests.get(row.number, "")  # the blind index of ``id_number``
        existing = self.registered.get(digest) if id_number else None
        keep_phone = existing is not None and self.text(row, "phone") == existing.phone_masked != ""
        data: dict[str, Any] = {
            "name": self.name_text(row, "name"),
            "id_number": id_number,
            "phone": "" if keep_phone else self.phone(row),
            "gender": self.choice(row, "gender"),
            "birth_date": self._birth(row),
            "residence_type": self.choice(row, "residence_type") or ResidenceType.REGISTERED,
            "relation_to_head": self.optional_text(row, "relation_to_head", 20),
            "note": "",
        }
        errors = resident_validate(data)
        _born_as_the_id_says(data, errors)
        self.field_errors(row, errors, RESIDENT_FIELDS)
        if id_number and "id_number" not in errors:
            first = self.id_rows.setdefault(digest, row.number)
            if first != row.number:
                self.error(row, "id_number", _("与第{row}行的身份证号重复").format(row=first))
        if existing is not None:
            self._check_existing(row, existing, node, data["name"])
        tags = self._tags(row)
        household_code = self._household(row, node, data["name"], data["relation_to_head"])
        if self.is_bad(row) or node is None:
            return
        if existing is not None:
            held = existing.household.code if existing.household is not None else ""
            self.placed.append(
                Placed(row.number, comparable(data["name"]), household_code or held, node.path)
            )
            self._plan_update(row, existing, data, tags, household_code)
            return
        resident = Resident(node=node, node_path=node.path)
        _resident_apply(resident, data)
        if not id_number and self._repeated_without_id(row, resident, household_code):
            return
        placed = Placed(row.number, comparable(resident.name), household_code, node.path)
        self.placed.append(placed)
        if not id_number and not resident.phone_hash and resident.birth_date is None:
            self.bare.append(placed)
        self.residents.append((resident, household_code, tags))

    def _birth(self, row: Row) -> date | None:
        """出生日期, or None for the year alone as the resident export writes it (1990年: the
        full date is shown only in the audited reveal), so that an export imported back is
        not refused for it; with an ID number the birth date follows the number anyway."""
        if YEAR_ONLY_RE.match(self.text(row, "birth_date").strip()):
            return None
        return self.date(row, "birth_date")

    # --- residents the file updates (by ID number) ------------------------------------------

    def _check_existing(self, row: Row, existing: Resident, node: Node | None, name: str) -> None:
        """A row with a registered ID number updates that resident: only within the actor's
        edit scope (nothing of one outside it is told), only one still in the register, only
        where they are (moving is done on the resident's page), and only under the name
        registered: another name far more often means a wrong ID number than a renaming,
        which is done on the resident's page."""
        if not self.may_write(existing.node_path):
            self.error(row, "id_number", _("该身份证号已登记（不在您的管辖范围内），不能导入修改"))
        elif name and comparable(name) != comparable(existing.name):
            self.error(
                row,
                "name",
                _(
                    "该身份证号已登记为「{name}」，与本行姓名不一致：请核对身份证号；确需更名的，请在居民页面修改"
                ).format(name=existing.name),
            )
        elif not existing.is_active:
            self.error(
                row,
                "id_number",
                _("该身份证号的居民{status}，导入不能修改；如已回到本地，请在其页面办理恢复在册").format(
                    status=existing.status_label
                ),
            )
        elif node is not None and node.pk != existing.node_id:
            self.error(
                row,
                "node_code",
                _(
                    "该身份证号的居民登记在 {node}（{node_code}），导入不能移动居民；"
                    "请把区域编码改回 {node_code}，或在居民页面办理迁移"
                ).format(node=existing.node.name, node_code=existing.node.code),
            )

    def _plan_update(
        self, row: Row, existing: Resident, data: dict[str, Any], tags: list[ResidentTag], household_code: str
    ) -> None:
        """The fields the row's filled cells change (a blank cell keeps the stored value):
        phone (a cell holding the stored mask keeps the stored phone), 人口类型,
        与户主关系, the household (by 户编码) and the tags (the cell's list replaces them).
        性别 and 出生日期 follow the ID number, which is the row's key."""
        values: dict[str, Any] = {
            "name": data["name"],
            "residence_type": self.choice(row, "residence_type"),
            "relation_to_head": data["relation_to_head"].strip(),
        }
        if data["phone"]:
            enc, digest = pii_fields(str(data["phone"]))
            if digest != existing.phone_hash:
                masked = crypto.mask_phone(str(data["phone"]))
                values |= {"phone_enc": enc, "phone_hash": digest, "phone_masked": masked}
        changes = differences(existing, given(row, values, dict.fromkeys(RESIDENT_PHONE_FIELDS, "phone")))
        # The audit keeps the masked phone only, never the ciphertext or its index.
        shown = [n for n in changes if n not in RESIDENT_PHONE_FIELDS[:2]]
        before = {name: getattr(existing, name) for name in shown}
        after = {name: changes[name] for name in shown}
        current = existing.household.code if existing.household is not None else ""
        if household_code and household_code != current:
            self.update_households[existing.pk] = household_code
            before["household"], after["household"] = current, household_code
        # The cell's list replaces the tags, but a sensitive one (SENSITIVE_TAGS) the cell does not
        # name stays: an export by someone who may not see it leaves it out, and that file imported
        # back must not take it off. It is taken off on the resident's page.
        held = list(existing.tags.all())
        kept = [t for t in held if t.code in SENSITIVE_TAGS and t not in tags]
        tags = [*tags, *kept]
        stored = sorted(t.name for t in held)
        wanted = sorted(t.name for t in tags)
        if self.text(row, "tags") and wanted != stored:
            self.update_tags[existing.pk] = tags
            before["tags"], after["tags"] = stored, wanted
        if not before:
            self.unchanged += 1
            return
        self.updates.append(
            Update(
                row=row.number,
                record=existing,
                changes=changes,
                before=before,
                after=after,
                stamp=existing.updated_at,
            )
        )

    # --- residents without an ID number ---------------------------------------------------

    def _repeated_without_id(self, row: Row, resident: Resident, household_code: str) -> bool:
        """A row without an ID number that repeats an earlier row: the same name and phone, or
        the same name, birth date and household (or, without one, the same node)."""
        key = no_id_key(resident, household_code)
        if key is None:
            return False
        first = self.no_id_rows.setdefault(key, row.number)
        if first != row.number:
            self.error(
                row, "name", _("与第{row}行重复（{why}，且都未填身份证号）").format(row=first, why=key.why())
            )
            return True
        self.no_id_checks.append((row.number, key, resident.node_path))
        return False

    def _check_no_id_registered(self) -> None:
        """Rows without an ID number that an active resident of the same community already is
        (``NoIdKey``): refused, as a registered ID number is."""
        if not self.no_id_checks:
            return
        communities = _communities({path for _n, _k, path in self.no_id_checks})
        existing = _registered_like([key for _n, key, _p in self.no_id_checks])
        for number, key, path in self.no_id_checks:
            community = _community_of(path, communities)
            for other_key, other_path in existing.get(key.lookup(), []):
                if key.matches(other_key, path, other_path, community):
                    self.error(
                        number,
                        "name",
                        _("与已登记的居民重复（{why}）；如确为不同的人，请填写身份证号").format(
                            why=key.why()
                        ),
                    )
                    break

    def _check_bare(self) -> None:
        """New rows with a name alone (no ID number, phone or birth date) tell nobody apart:
        one is refused when another row of the file has the same name at the same place
        (``Placed.same_person``), naming the earlier row (or, when only a later row with more
        to tell it by is there, that one), and when an active resident of that name is
        registered there; a second upload of such a row no longer registers the person twice."""
        if not self.bare:
            return
        by_name: dict[str, list[Placed]] = {}
        for placed in self.placed:
            by_name.setdefault(placed.name, []).append(placed)
        bare_rows = {b.row for b in self.bare}
        for bare in self.bare:
            others = [p for p in by_name[bare.name] if p.row != bare.row and bare.same_person(p)]
            earlier = [p for p in others if p.row < bare.row]
            later = [p for p in others if p.row > bare.row and p.row not in bare_rows]
            other = earlier[0] if earlier else later[0] if later else None
            if other is not None:
                self.error(
                    bare.row,
                    "name",
                    _(
                        "与第{row}行重复（{why}，本行未填身份证号和联系电话）；如确为不同的人，请填写身份证号或联系电话"
                    ).format(row=other.row, why=bare.why()),
                )
        waiting = [b for b in self.bare if b.row not in self._bad_rows]
        registered: dict[str, list[Placed]] = {}
        for placed in _registered_at(waiting):
            registered.setdefault(placed.name, []).append(placed)
        for bare in waiting:
            if any(bare.same_person(r) for r in registered.get(bare.name, [])):
                self.error(
                    bare.row,
                    "name",
                    _(
                        "与已登记的居民重复（{why}，本行未填身份证号和联系电话）；如确为不同的人，请填写身份证号或联系电话"
                    ).format(why=bare.why()),
                )

    def _tags(self, row: Row) -> list[ResidentTag]:
        names = [t for t in TAG_SEPARATORS.split(self.text(row, "tags")) if t]
        missing = [t for t in names if t not in self.tags]
        if missing:
            self.error(row, "tags", _("未知的标签：{missing}").format(missing="、".join(missing)))
        return list({self.tags[t].pk: self.tags[t] for t in names if t in self.tags}.values())

    def _household(self, row: Row, node: Node | None, name: str, relation: str) -> str:
        code = self.code(row, "household_code")
        if not code:
            return ""
        if len(code) > 40:
            self.error(row, "household_code", _("户编码最长40位"))
            return ""
        existing = self.households.get(code)
        if existing is not None:
            if not any(existing.node_path.startswith(p) for p in self._view_paths):
                self.error(
                    row, "household_code", _("户编码 {code} 不存在或不在您的管辖范围内").format(code=code)
                )
            elif node is not None and not _same_area(existing.node_path, node.path):
                self.error(row, "household_code", _("户与居民不在同一区域"))
            return code
        if node is None:
            return code
        household = self.new_households.get(code)
        if household is None:
            household = Household(node=node, node_path=node.path, code=code, head_name="")
            self.new_households[code] = household
        elif not _same_area(household.node_path, node.path):
            self.error(row, "household_code", _("户与居民不在同一区域"))
        if relation in HEAD_RELATIONS and not household.head_name:
            household.head_name = name.strip()
        return code

    def _check_ids_taken(self) -> None:
        """New rows whose ID number was registered after the file was first read."""
        taken: list[tuple[int, Resident]] = []
        for batch in chunked(d for d in self.id_rows if d not in self.registered):
            for holder in Resident.objects.filter(id_number_hash__in=batch).only(
                "pk", "name", "id_number_hash", "id_number_masked", "phone_masked"
            ):
                taken.append((self.id_rows[holder.id_number_hash], holder))
        if not taken:
            return
        # Each tells that the number is registered: an ID search, as ``_holders_checked``.
        if not import_id_holders_checked(
            actor=self.actor, holders=sorted(taken, key=lambda pair: pair[0]), checking=True
        ):
            self.error(min(row for row, _h in taken), "id_number", limited_message())
            return
        for row, _holder in taken:
            self.error(row, "id_number", _("该身份证号已登记"))

    def save(self) -> dict[str, int]:
        bulk.insert(Household, list(self.new_households.values()), batch_size=BATCH_SIZE)
        for update in self.updates:
            if code := self.update_households.get(update.record.pk):
                update.changes["household_id"] = (self.new_households.get(code) or self.households[code]).pk
        apply_updates(self.actor, Resident, self.updates, Verb.RESIDENT_UPDATED)
        for pk, tags in self.update_tags.items():
            Resident.objects.get(pk=pk).tags.set(tags)
        residents = []
        for resident, household_code, _tags in self.residents:
            if household_code:
                resident.household = (
                    self.new_households.get(household_code) or self.households[household_code]
                )
            residents.append(resident)
        bulk.insert(Resident, residents, batch_size=BATCH_SIZE)
        through = Resident.tags.through
        links = [
            through(resident_id=resident.pk, residenttag_id=tag.pk)
            for resident, _, tags in self.residents
            for tag in tags
        ]
        bulk.insert(through, links, batch_size=BATCH_SIZE)
        return counted(
            {"residents": len(residents), "households": len(self.new_households), "tags": len(links)},
            self.updates,
            self.unchanged,
        )


class DwellingImporter(Importer):
    """Creates dwellings, and updates those whose 房屋编码 the file names (a re-imported
    export): room, use, area and owner in place; a row moving one to another building is
    refused (moving is done on the pages)."""

    kind = ImportKind.DWELLINGS
    edit_capability = Capability.REGISTRY_EDIT

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.load_nodes(self.code(row, "node_code") for row in rows)
        self.first_row: dict[str, int] = {}
        for row in rows:
            if code := self.code(row, "code"):
                self.first_row.setdefault(code, row.number)
        self.existing: dict[str, Dwelling] = {}
        for batch in chunked(c for c in self.first_row if len(c) <= 40):
            for dwelling in Dwelling.objects.filter(code__in=batch).select_related("node"):
                self.existing[dwelling.code] = dwelling
        self.dwellings: list[tuple[Row, Dwelling]] = []
        self.updates: list[Update] = []
        self.unchanged = 0
        self.room_rows: dict[tuple[int, str], int] = {}
        self.update_rows: set[int] = set()
        for row in self.each(rows, progress):
            self._validate_row(row)
        self._check_registered_rooms()
        self._generate_codes()
        return self.sorted_errors()

    def _check_registered_rooms(self) -> None:
        """A row creating a dwelling whose room is already registered in that building (or
        单元) is that dwelling again, as a repeat inside the file is: refused, naming the
        房屋编码 that updates it (re-uploading a file without codes would otherwise register
        every room again). The file's buildings are read at once."""
        wanted = {key: number for key, number in self.room_rows.items() if number not in self.update_rows}
        nodes = sorted({node_pk for node_pk, _room in wanted})
        for start in range(0, len(nodes), LOOKUP_CHUNK):
            registered = Dwelling.objects.filter(node_id__in=nodes[start : start + LOOKUP_CHUNK]).values_list(
                "node_id", "room", "code"
            )
            for node_pk, room, code in registered:
                number = wanted.get((node_pk, comparable(room)))
                if number is not None:
                    self.error(
                        number,
                        "room",
                        _(
                            "该楼栋或单元的房号 {room} 已登记（房屋编码 {code}）；如要修改这套房屋，"
                            "请在房屋编码列填写 {code}，否则请从文件中删去此行"
                        ).format(room=room, code=code),
                    )

    def _area(self, row: Row) -> Decimal | None:
        raw = fold(self.text(row, "area"))
        if not raw:
            return None
        try:
            area = Decimal(raw)
        except InvalidOperation:
            area = Decimal("NaN")
        if not area.is_finite() or area <= 0 or area > 100000:
            self.error(row, "area", _("面积应为大于0的数字"))
            return None
        return area.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def _validate_row(self, row: Row) -> None:
        node = self.target_node(row, kinds=DWELLING_NODE_KINDS)
        room = fold(self.text(row, "room"))
        if not room:
            self.error(row, "room", _("房号不能为空"))
        elif len(room) > 50:
            self.error(row, "room", _("房号最长50个字"))
        elif node is not None:
            # One building's (or entrance's) room is one dwelling: a second row is the same one.
            first = self.room_rows.setdefault((node.pk, comparable(room)), row.number)
            if first != row.number:
                self.error(row, "room", _("与第{row}行重复（同一楼栋或单元的同一房号）").format(row=first))
        use = self.choice(row, "use")
        if use not in DwellingUse.values:
            self.error(row, "use", _("使用情况只能是自住、出租或空置"))
        area = self._area(row)
        owner_name = self.optional_text(row, "owner_name", 50)
        code = self.code(row, "code")
        if len(code) > 40:
            self.error(row, "code", _("房屋编码最长40位"))
        elif code and self.first_row[code] != row.number:
            self.error(
                row, "code", _("房屋编码 {code} 与第{row}行重复").format(code=code, row=self.first_row[code])
            )
        existing = self.existing.get(code) if code else None
        if existing is not None:
            self.update_rows.add(row.number)
            self._check_existing(row, existing, node)
        if self.is_bad(row) or node is None:
            return
        if existing is not None:
            values = {"room": room, "use": use, "area": area, "owner_name": owner_name}
            self._plan_update(row, existing, given(row, values))
            return
        dwelling = Dwelling(
            node=node, node_path=node.path, code=code, room=room, use=use, area=area, owner_name=owner_name
        )
        self.dwellings.append((row, dwelling))

    def _check_existing(self, row: Row, existing: Dwelling, node: Node | None) -> None:
        """A row naming a registered dwelling updates it: only within the actor's edit scope
        (nothing of one outside it is told), and only where it is."""
        if not self.may_write(existing.node_path):
            self.error(
                row,
                "code",
                _("房屋编码 {code} 已被您管辖范围以外的房屋使用，不能导入修改").format(code=existing.code),
            )
        elif node is not None and node.pk != existing.node_id:
            self.error(
                row,
                "node_code",
                _(
                    "房屋编码 {code} 登记在 {node}（{node_code}），导入不能移动房屋；"
                    "如需移动，请在房屋页面操作"
                ).format(code=existing.code, node=existing.node.name, node_code=existing.node.code),
            )

    def _plan_update(self, row: Row, existing: Dwelling, values: dict[str, Any]) -> None:
        changes = differences(existing, values)
        if not changes:
            self.unchanged += 1
            return
        self.updates.append(planned_update(row.number, existing, changes))

    def _generate_codes(self) -> None:
        """Like ``registry.services.next_code(f"{node.code}F", Dwelling)``, counting this file too."""
        counters: dict[str, int] = {}
        for _row, dwelling in self.dwellings:
            if dwelling.code:
                continue
            prefix = f"{dwelling.node.code}F"
            if prefix not in counters:
                existing = list(
                    Dwelling.objects.filter(code__startswith=prefix).values_list("code", flat=True)
                )
                existing += [c for c in self.first_row if c.startswith(prefix)]
                numbers = [int(c[len(prefix) :]) for c in existing if c[len(prefix) :].isdecimal()]
                counters[prefix] = max(numbers, default=0)
            counters[prefix] += 1
            dwelling.code = f"{prefix}{counters[prefix]:04d}"

    def save(self) -> dict[str, int]:
        apply_updates(self.actor, Dwelling, self.updates, Verb.DWELLING_UPDATED)
        bulk.insert(Dwelling, [d for _, d in self.dwellings], batch_size=BATCH_SIZE)
        return counted({"dwellings": len(self.dwellings)}, self.updates, self.unchanged)


ORGANISATION_FIELDS = {
    "name": "name",
    "kind": "kind",
    "credit_code": "credit_code",
    "contact_phone": "contact_phone",
    "employees": "employees",
}


PHONE_FIELDS = ("contact_phone_enc", "contact_phone_hash", "contact_phone_masked")


class OrganisationImporter(Importer):
    """Creates organisations, and updates those whose 统一社会信用代码 the file names (the
    key the export writes: organisations have no code of their own): name, kind, address,
    contact and employees in place. The export writes the phone masked: a cell still
    holding the stored mask keeps the stored phone. A row moving one to another area is
    refused (moving is done on the pages). Rows without a credit code create, as before."""

    kind = ImportKind.ORGANISATIONS
    edit_capability = Capability.REGISTRY_EDIT

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        self.load_nodes(self.code(row, "node_code") for row in rows)
        self.existing: dict[str, Organisation] = {}
        header = self.header("credit_code")
        wanted = {credit_code_cell(row.values.get("credit_code", ""), header)[0] for row in rows}
        for batch in chunked(sorted(c for c in wanted if c)):
            for org in Organisation.objects.filter(credit_code__in=batch).select_related("node"):
                self.existing[org.credit_code] = org
        self.organisations: list[Organisation] = []
        self.updates: list[Update] = []
        self.unchanged = 0
        self.credit_rows: dict[str, int] = {}
        self.name_rows: dict[tuple[int, str, str], int] = {}
        for row in self.each(rows, progress):
            self._validate_row(row)
        self._check_registered_without_code()
        return self.sorted_errors()

    def _check_registered_without_code(self) -> None:
        """Without a credit code, one name at one address in one area is one organisation, in
        the registry as in the file: re-importing an export would otherwise register again
        every organisation that has no credit code."""
        nodes = sorted({node_pk for node_pk, _name, _address in self.name_rows})
        for start in range(0, len(nodes), LOOKUP_CHUNK):
            registered = Organisation.objects.filter(
                node_id__in=nodes[start : start + LOOKUP_CHUNK], credit_code=""
            ).values_list("node_id", "name", "address")
            for node_pk, name, address in registered:
                number = self.name_rows.get((node_pk, comparable(name), comparable(address)))
                if number is not None:
                    self.error(
                        number,
                        "name",
                        _(
                            "该单位已登记（同一区域、同名同地址，未填统一社会信用代码），导入不能修改；"
                            "请在单位页面修改，或从文件中删去此行"
                        ),
                    )

    def _phone(self, row: Row, existing: Organisation | None) -> str | None:
        """The row's phone; None when it is the stored phone's mask (kept as it is)."""
        raw = self.text(row, "contact_phone")
        if existing is not None and raw and raw == existing.contact_phone_masked:
            return None
        return self.phone(row, "contact_phone")

    def _validate_row(self, row: Row) -> None:
        node = self.target_node(row)
        credit_code = self.credit_code(row)
        existing = self.existing.get(credit_code) if credit_code else None
        phone = self._phone(row, existing)
        data = {
            "name": self.optional_text(row, "name", 200),
            "kind": self.choice(row, "kind"),
            "credit_code": credit_code,
            "contact_phone": phone or "",
            "employees": fold(self.text(row, "employees")),
        }
        errors = organisation_validate(data)
        self.field_errors(row, errors, ORGANISATION_FIELDS)
        if credit_code and "credit_code" not in errors:
            first = self.credit_rows.setdefault(credit_code, row.number)
            if first != row.number:
                self.error(row, "credit_code", _("与第{row}行的统一社会信用代码重复").format(row=first))
        address = self.optional_text(row, "address", 255)
        contact_name = self.optional_text(row, "contact_name", 50)
        if node is not None and not credit_code and data["name"].strip():
            # Without a credit code, one name at one address in one area is one organisation
            # (a chain's branches differ by address).
            key = (node.pk, comparable(data["name"]), comparable(address))
            first = self.name_rows.setdefault(key, row.number)
            if first != row.number:
                self.error(
                    row,
                    "name",
                    _("与第{row}行重复（同一区域、同名同地址，且都未填统一社会信用代码）").format(row=first),
                )
        if existing is not None and "credit_code" not in errors:
            self._check_existing(row, existing, node)
        if self.is_bad(row) or node is None:
            return
        employees = int(data["employees"]) if data["employees"] else None
        values: dict[str, Any] = {
            "name": data["name"].strip(),
            "kind": data["kind"],
            "address": address.strip(),
            "contact_name": contact_name.strip(),
            "employees": employees or None,
        }
        if phone is not None:
            phone = phone.strip()
            enc, digest = pii_fields(phone)
            masked = crypto.mask_phone(phone) if phone else ""
            values |= {"contact_phone_enc": enc, "contact_phone_hash": digest, "contact_phone_masked": masked}
        if existing is not None:
            self._plan_update(row, existing, given(row, values, dict.fromkeys(PHONE_FIELDS, "contact_phone")))
            return
        self.organisations.append(
            Organisation(node=node, node_path=node.path, credit_code=credit_code, **values)
        )

    def _check_existing(self, row: Row, existing: Organisation, node: Node | None) -> None:
        """As ``DwellingImporter._check_existing``: in the edit scope, where it is."""
        if not self.may_write(existing.node_path):
            self.error(row, "credit_code", _("该统一社会信用代码已被您管辖范围以外的单位登记，不能导入修改"))
        elif node is not None and node.pk != existing.node_id:
            self.error(
                row,
                "node_code",
                _(
                    "该统一社会信用代码的单位登记在 {node}（{node_code}），导入不能移动单位；"
                    "请把区域编码改回 {node_code}"
                ).format(node=existing.node.name, node_code=existing.node.code),
            )

    def _plan_update(self, row: Row, existing: Organisation, values: dict[str, Any]) -> None:
        # The phone compares by its blind index (ciphertexts differ at every encryption).
        if values.get("contact_phone_hash", existing.contact_phone_hash) == existing.contact_phone_hash:
            for name in PHONE_FIELDS:
                values.pop(name, None)
        changes = differences(existing, values)
        if not changes:
            self.unchanged += 1
            return
        # The audit keeps the masked phone only, never the ciphertext or its index.
        shown = [n for n in changes if n not in PHONE_FIELDS[:2]]
        self.updates.append(planned_update(row.number, existing, changes, shown))

    def save(self) -> dict[str, int]:
        apply_updates(self.actor, Organisation, self.updates, Verb.ORGANISATION_UPDATED)
        bulk.insert(Organisation, self.organisations, batch_size=BATCH_SIZE)
        return counted({"organisations": len(self.organisations)}, self.updates, self.unchanged)
