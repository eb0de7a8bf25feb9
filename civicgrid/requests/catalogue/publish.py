"""Publishing a version: stable codes, the three levels, the flip of the current version."""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import CivicError, Conflict, ValidationError
from civicgrid.requests.catalogue.cache import catalogue_cache
from civicgrid.requests.catalogue.rows import (
    HEADERS,
    LEVEL_LABELS,
    CleanRow,
    check_configure,
    check_rows,
    initials,
    raise_if,
)
from civicgrid.requests.models import CatalogueVersion, Category, DispatchRule, SavedAnswer


class Verb:
    CATALOGUE_PUBLISHED = "requests.catalogue_published"


class CatalogueUnchanged(CivicError):
    """The rows are the current version's, leaf for leaf: nothing to publish (an Excel export
    imported back unedited). ``version`` is the current version."""

    code = "unchanged"
    http_status = 409

    def __init__(self, version: CatalogueVersion) -> None:
        super().__init__(
            gettext("导入的目录与当前第{number}版完全相同，未发布新版本").format(number=version.number)
        )
        self.version = version


class RemovalsUnconfirmed(CivicError):
    """Publishing would delete leaves of the current version and the caller did not confirm
    it (the page's "确认删除" checkbox): nothing is written. ``changes`` says what it would do."""

    code = "removals_unconfirmed"
    http_status = 409

    def __init__(self, changes: "Changes") -> None:
        super().__init__(
            gettext(
                "新版本将删除当前第{number}版的 {removed} 个三级分类，请核对后勾选“确认删除”再发布"
            ).format(number=changes.previous or 0, removed=len(changes.removed))
        )
        self.changes = changes


@dataclass
class Changes:
    """What a new version changes against the current one (``previous``), leaf by leaf:
    "编码 一级/二级/三级" added and removed, and "… （changed columns）" changed."""

    previous: int | None
    leaves: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return gettext("新增 {added}、删除 {removed}、修改 {changed}").format(
            added=len(self.added), removed=len(self.removed), changed=len(self.changed)
        )


# The columns a changed leaf names, by the field that differs.
_CHANGE_COLUMNS = {
    "code": "code",
    "responsible_kind": "responsible_kind",
    "responsible_unit_id": "responsible_unit",
    "response_tier": "response_tier",
    "response_limit": "response_limit",
    "response_unit": "response_limit",
    "resolution_limit": "resolution_limit",
    "resolution_unit": "resolution_limit",
    "needs_callback": "needs_callback",
    "needs_verification": "needs_verification",
    "keywords": "keywords",
}


def _compare(previous: int | None, old: Mapping[str, Category], new: Mapping[str, Category]) -> Changes:
    """``old`` and ``new``: leaves by full name."""
    changes = Changes(previous=previous, leaves=len(new))
    for name, leaf in sorted(new.items(), key=lambda item: item[1].code):
        before = old.get(name)
        if before is None:
            changes.added.append(f"{leaf.code} {name}")
            continue
        columns = dict.fromkeys(
            HEADERS[column] for f, column in _CHANGE_COLUMNS.items() if getattr(before, f) != getattr(leaf, f)
        )
        if columns:
            changes.changed.append(
                gettext("{code} {name}（{columns}）").format(
                    code=leaf.code, name=name, columns="、".join(columns)
                )
            )
    changes.removed = [
        f"{leaf.code} {name}"
        for name, leaf in sorted(old.items(), key=lambda i: i[1].code)
        if name not in new
    ]
    return changes


def _published_leaves(version: CatalogueVersion | None) -> dict[str, Category]:
    if version is None:
        return {}
    leaves = Category.objects.filter(version=version, level=3).only("code", "full_name", *_LEAF_FIELDS)
    return {leaf.full_name: leaf for leaf in leaves}


def _row_changes(
    previous: CatalogueVersion | None, rows: Sequence[CleanRow], codes: Mapping[tuple[str, ...], str]
) -> Changes:
    draft = CatalogueVersion(number=0)
    new = {"/".join(r.names): _leaf(draft, r, codes[r.names], parent=None) for r in rows}
    return _compare(previous.number if previous else None, _published_leaves(previous), new)


def version_changes(version: CatalogueVersion) -> Changes:
    """What ``version`` changed against the version published just before it."""
    before = CatalogueVersion.objects.filter(number__lt=version.number).order_by("-number").first()
    return _compare(before.number if before else None, _published_leaves(before), _published_leaves(version))


def _stale_text(based_on: int, current: int | None, how: str) -> str:
    return gettext(
        "该文件导出自派单目录第{based_on}版，当前已是第{current}版（其间有人发布了新版本）。"
        "请重新导出当前版本，在其中重新修改后再导入；如确要以此文件覆盖他人的修改，{how}"
    ).format(based_on=based_on, current=current or 0, how=how)


def stale_conflict(based_on: int, current: int | None) -> Conflict:
    """A file exported from version ``based_on`` when ``current`` is the current one: its
    import would silently undo what was published in between (another administrator's
    edit). The message tells the page's way to override (the command line says its own:
    ``stale_cli_message``)."""
    return Conflict(
        _stale_text(based_on, current, gettext("请勾选“基于旧版本导入（覆盖他人修改）”")),
        code="stale_catalogue",
        detail={"based_on": based_on, "current": current},
    )


def stale_cli_message(conflict: Conflict) -> str:
    """``stale_conflict``'s message for ``civicgrid catalogue import``: the way is --force."""
    detail = conflict.detail or {}
    return _stale_text(
        detail.get("based_on", 0), detail.get("current"), gettext("请在命令后加 --force 重新导入")
    )


def unmatched_rules(version: CatalogueVersion) -> list[DispatchRule]:
    """Active dispatch rules keyed by a code prefix that no category of ``version`` starts
    with: after a publish that moved or deleted categories they no longer match anything."""
    rules = [r for r in DispatchRule.objects.filter(is_active=True).exclude(category_prefix="")]
    if not rules:
        return []
    codes = Category.objects.filter(version=version).values_list("code", flat=True)
    prefixes = {code[:n] for code in codes for n in range(1, len(code) + 1)}
    return [r for r in rules if r.category_prefix not in prefixes]


def unmatched_answers(version: CatalogueVersion) -> list[SavedAnswer]:
    """Active saved answers (知识库) whose category prefix no category of ``version`` starts
    with: they are no longer offered first for any category."""
    answers = list(
        SavedAnswer.objects.filter(is_active=True)
        .exclude(category_prefix="")
        .only("title", "category_prefix")
    )
    if not answers:
        return []
    codes = Category.objects.filter(version=version).values_list("code", flat=True)
    prefixes = {code[:n] for code in codes for n in range(1, len(code) + 1)}
    return [a for a in answers if a.category_prefix not in prefixes]


def unmatched_answers_text(answers: Sequence[SavedAnswer]) -> str:
    """The warning after a publish: each saved answer by title and prefix (the first 10)."""
    listed = "、".join(
        gettext("「{title}」（{prefix}）").format(title=a.title[:30], prefix=a.category_prefix)
        for a in answers[:10]
    )
    more = gettext("等") if len(answers) > 10 else ""
    return gettext(
        "注意：以下{count}条启用中的知识库答复的分类编码前缀在新版本中已没有对应分类，"
        "不会再优先推荐给任何分类的诉求：{answers}{more}。请到知识库中修改其分类编码前缀"
    ).format(count=len(answers), answers=listed, more=more)


def unmatched_rules_text(rules: Sequence[DispatchRule]) -> str:
    """The warning after a publish: each rule by name and prefix."""
    listed = "、".join(
        gettext("「{name}」（{prefix}）").format(name=r.name, prefix=r.category_prefix) for r in rules
    )
    return gettext(
        "注意：以下{count}条启用中的派单规则的分类编码前缀在新版本中已没有对应分类，"
        "不会再匹配任何诉求（分类被移动或删除）：{rules}。请到派单规则中修改其分类编码前缀"
    ).format(count=len(rules), rules=listed)


class _Codes:
    """Assigns a code to every path (names of levels 1..n) of the new version."""

    def __init__(self, current: Mapping[tuple[str, ...], str], historical: Iterable[str]) -> None:
        self.current = current
        self.current_paths = {code: path for path, code in current.items()}
        self.codes: dict[tuple[str, ...], str] = {}
        self.owner: dict[str, tuple[str, ...]] = {}
        self.line: dict[tuple[str, ...], int] = {}
        self.taken: set[str] = set(historical)
        self.high: dict[str, int] = defaultdict(int)
        for code in self.taken:
            self._note(code)

    def _note(self, code: str) -> None:
        if not (code.isdecimal() and len(code) in (2, 4, 6)):
            return  # not a code of this scheme (made by hand elsewhere)
        prefix, number = code[:-2], int(code[-2:])
        self.high[prefix] = max(self.high[prefix], number)

    def _take(self, path: tuple[str, ...], code: str, line: int) -> None:
        self.codes[path], self.owner[code], self.line[path] = code, path, line
        self.taken.add(code)
        self._note(code)

    def _moved(self, row: CleanRow) -> str | None:
        """Why ``row`` cannot keep its code: the code is the current version's for a category
        under another parent, and the row's parent is a category of the current version with
        another code (the row was moved, keeping the code of its old place)."""
        old_path = self.current_paths.get(row.code)
        if old_path is None or old_path[:2] == row.names[:2]:
            return None
        for level in (2, 1):
            known = self.current.get(row.names[:level])
            if known:
                if row.code.startswith(known):
                    return None
                return gettext(
                    "「分类编码」{code} 不在上级「{parent}」（{known}…）之下："
                    "移动分类时请清空编码，系统会重新编号"
                ).format(code=row.code, parent="/".join(row.names[:2]), known=known)
        return None

    def explicit(self, row: CleanRow, errors: dict[str, list[str]]) -> None:
        if (moved := self._moved(row)) is not None:
            errors[row.label].append(moved)
            return
        for level in (1, 2, 3):
            path, code = row.names[:level], row.code[: 2 * level]
            label = LEVEL_LABELS[level - 1]
            if path in self.codes and self.codes[path] != code:
                reason = gettext("{level}「{path}」的编码与第{line}行不一致（{code}）").format(
                    level=label, path="/".join(path), line=self.line[path], code=self.codes[path]
                )
                errors[row.label].append(gettext("「分类编码」{reason}").format(reason=reason))
            elif code in self.owner and self.owner[code] != path:
                other = "/".join(self.owner[code])
                errors[row.label].append(
                    gettext("「分类编码」{code} 已用于第{line}行的「{other}」").format(
                        code=code, line=self.line[self.owner[code]], other=other
                    )
                )
            else:
                self._take(path, code, row.line)

    def _next_free(self, prefix: str) -> str | None:
        number = self.high[prefix] + 1
        if number <= 99:
            return f"{prefix}{number:02d}"
        gaps = (f"{prefix}{n:02d}" for n in range(1, 100))
        return next((code for code in gaps if code not in self.taken), None)

    def by_names(self, row: CleanRow, level: int, errors: dict[str, list[str]]) -> None:
        path = row.names[:level]
        if path in self.codes:
            return
        parent = self.codes.get(path[:-1], "") if level > 1 else ""
        if level > 1 and not parent:
            return  # the parent already failed
        old = self.current.get(path)
        code = old if old and old[:-2] == parent and old not in self.owner else self._next_free(parent)
        if code is None:
            errors[row.label].append(
                gettext("「{level}」同一上级下的分类超过99个").format(level=LEVEL_LABELS[level - 1])
            )
            return
        self._take(path, code, row.line)


def _current_paths(version: CatalogueVersion | None) -> dict[tuple[str, ...], str]:
    if version is None:
        return {}
    rows = Category.objects.filter(version=version).values_list("id", "parent_id", "name", "code")
    by_id = {pk: (parent, name, code) for pk, parent, name, code in rows}

    def path(pk: int) -> tuple[str, ...]:
        parent, name, _ = by_id[pk]
        return (*path(parent), name) if parent else (name,)

    return {path(pk): code for pk, (_, _, code) in by_id.items()}


def _assign_codes(
    rows: Sequence[CleanRow],
    current: CatalogueVersion | None,
    problems: Mapping[str, list[str]] | None = None,
) -> dict[tuple[str, ...], str]:
    """Codes of every path; raises the ``problems`` of the rows' values (row → reasons) and
    those of the codes together, so one import says them all. Rows with problems of their
    own take no part in the codes."""
    historical = Category.objects.values_list("code", flat=True).distinct()
    codes = _Codes(_current_paths(current), historical)
    problems = problems or {}
    errors: dict[str, list[str]] = defaultdict(list)
    for label, reasons in problems.items():
        errors[label] += reasons
    sound = [row for row in rows if row.label not in problems]
    for row in sound:
        if row.code:
            codes.explicit(row, errors)
    for level in (1, 2, 3):
        for row in sound:
            codes.by_names(row, level, errors)
    order = {row.label: row.line for row in rows}
    raise_if(dict(sorted(errors.items(), key=lambda item: order.get(item[0], 0))))
    return codes.codes


def _category(version: CatalogueVersion, path: tuple[str, ...], code: str, parent: Any) -> Category:
    return Category(
        version=version,
        code=code,
        name=path[-1],
        level=len(path),
        parent=parent,
        full_name="/".join(path),
        initials=" ".join(initials(name) for name in path)[:100],
    )


def _leaf(version: CatalogueVersion, row: CleanRow, code: str, parent: Category | None) -> Category:
    leaf = _category(version, row.names, code, parent)
    leaf.keywords = row.keywords
    leaf.responsible_kind = row.responsible_kind
    leaf.responsible_unit = row.unit
    leaf.response_tier = row.response_tier
    leaf.response_limit, leaf.response_unit = row.response_limit, row.response_unit
    leaf.resolution_limit, leaf.resolution_unit = row.resolution_limit, row.resolution_unit
    leaf.needs_callback, leaf.needs_verification = row.needs_callback, row.needs_verification
    return leaf


def _create_tree(
    version: CatalogueVersion, rows: Sequence[CleanRow], codes: Mapping[tuple[str, ...], str]
) -> None:
    made: dict[tuple[str, ...], Category] = {}
    for level in (1, 2):
        paths = sorted({row.names[:level] for row in rows}, key=lambda p: codes[p])
        batch = [_category(version, p, codes[p], made.get(p[:-1])) for p in paths]
        for path, category in zip(paths, Category.objects.bulk_create(batch), strict=True):
            made[path] = category
    leaves = sorted(rows, key=lambda r: codes[r.names])
    Category.objects.bulk_create([_leaf(version, r, codes[r.names], made[r.names[:2]]) for r in leaves])


_LEAF_FIELDS = (
    "keywords", "responsible_kind", "responsible_unit_id", "response_tier", "response_limit",
    "response_unit", "resolution_limit", "resolution_unit", "needs_callback", "needs_verification",
)  # fmt: skip


def _leaf_key(leaf: Category) -> tuple[Any, ...]:
    return (leaf.code, leaf.full_name, *(getattr(leaf, f) for f in _LEAF_FIELDS))


def _same_as(
    version: CatalogueVersion, rows: Sequence[CleanRow], codes: Mapping[tuple[str, ...], str]
) -> bool:
    """Whether publishing ``rows`` would make a copy of ``version``: the same paths under the
    same codes, every leaf with the same responsibility, tier, limits and keywords."""
    published = {
        (c.code, c.full_name): c
        for c in Category.objects.filter(version=version).only("code", "full_name", "level", *_LEAF_FIELDS)
    }
    paths = {p for row in rows for p in (row.names[:1], row.names[:2], row.names)}
    if {(codes[p], "/".join(p)) for p in paths} != set(published):
        return False
    for row in rows:  # each leaf as the new version would store it
        leaf = _leaf(version, row, codes[row.names], parent=None)
        old = published[(leaf.code, leaf.full_name)]
        if old.level != 3 or _leaf_key(old) != _leaf_key(leaf):
            return False
    return True


@transaction.atomic
def _publish(
    actor: Any,
    rows: Sequence[CleanRow],
    note: str,
    if_changed: bool,
    based_on: int | None,
    problems: Mapping[str, list[str]],
    removals_confirmed: bool = True,
) -> CatalogueVersion:
    previous = CatalogueVersion.objects.select_for_update().filter(is_current=True).first()
    if based_on is not None and (previous is None or previous.number != based_on):
        raise stale_conflict(based_on, previous.number if previous else None)
    codes = _assign_codes(rows, previous, problems)
    if if_changed and previous is not None and _same_as(previous, rows, codes):
        raise CatalogueUnchanged(previous)
    changes = _row_changes(previous, rows, codes)
    if changes.removed and not removals_confirmed:
        raise RemovalsUnconfirmed(changes)
    old = _current_paths(previous)
    number = (CatalogueVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    user = actor if getattr(actor, "is_authenticated", False) else None
    version = CatalogueVersion.objects.create(number=number, note=note, is_current=False, created_by=user)
    _create_tree(version, rows, codes)
    CatalogueVersion.objects.filter(is_current=True).update(is_current=False)
    version.is_current = True
    version.save(update_fields=["is_current"])
    # This transaction reads the new version from here on; the process's other threads
    # once it is committed (what they read in between is read again).
    catalogue_cache.invalidate()
    transaction.on_commit(catalogue_cache.invalidate)
    kept = sum(1 for r in rows if old.get(r.names) == codes[r.names])
    unmatched = [f"{r.name}（{r.category_prefix}）" for r in unmatched_rules(version)]
    audit_write(
        actor=actor,
        verb=Verb.CATALOGUE_PUBLISHED,
        target=version,
        before={"current": previous.number if previous else None},
        after={
            "number": number,
            "note": note,
            "leaves": len(rows),
            "kept_codes": kept,
            "added_leaves": len(changes.added),
            "removed_leaves": len(changes.removed),
            "changed_leaves": len(changes.changed),
            **({"unmatched_rules": unmatched} if unmatched else {}),
        },
    )
    return version


def catalogue_publish(
    *,
    actor: Any,
    rows: Sequence[Mapping[str, Any]],
    note: str,
    system: bool = False,
    if_changed: bool = False,
    based_on: int | None = None,
    removals_confirmed: bool = True,
) -> CatalogueVersion:
    """Publish ``rows`` (one per leaf) as the new current version. All or nothing.

    Row keys: level1, level2, level3, code (optional leaf code), responsible_kind,
    responsible_unit (a unit code), response_tier, response_limit, response_unit,
    resolution_limit, resolution_unit, needs_callback, needs_verification, keywords;
    values may be the stored values or the Chinese labels of the Excel sheet. Blank
    limits take the tier's standard figures. ``_line`` (optional) numbers the row in
    error messages. With ``if_changed``, rows that would publish a copy of the current
    version raise ``CatalogueUnchanged`` and nothing is written. With ``based_on`` (the
    version an edited export came from), a current version other than that one raises
    ``Conflict`` (checked under the lock of the current version) and nothing is written.
    Without ``removals_confirmed``, rows that would delete leaves of the current version
    raise ``RemovalsUnconfirmed`` (checked under the same lock) and nothing is written.
    """
    check_configure(actor, system)
    note = (note or "").strip()
    if len(note) > 255:
        raise ValidationError(gettext("说明最长255个字"), field="note")
    clean, problems = check_rows(rows)  # raised with the codes' problems (one round)
    try:
        return _publish(actor, clean, note, if_changed, based_on, problems, removals_confirmed)
    except IntegrityError as exc:
        raise Conflict(gettext("其他管理员正在发布派单目录，请稍后重试")) from exc


def catalogue_preview(
    *, actor: Any, rows: Sequence[Mapping[str, Any]], system: bool = False, based_on: int | None = None
) -> Changes:
    """What publishing ``rows`` would change against the current version, checked as
    ``catalogue_publish(if_changed=True)`` checks them (the same errors, ``CatalogueUnchanged``,
    the stale ``Conflict``); nothing is written."""
    check_configure(actor, system)
    clean, problems = check_rows(rows)
    previous = CatalogueVersion.objects.filter(is_current=True).first()
    if based_on is not None and (previous is None or previous.number != based_on):
        raise stale_conflict(based_on, previous.number if previous else None)
    codes = _assign_codes(clean, previous, problems)
    if previous is not None and _same_as(previous, clean, codes):
        raise CatalogueUnchanged(previous)
    return _row_changes(previous, clean, codes)
