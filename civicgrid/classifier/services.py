"""Writes of classifier: train (CSV files or the request history), register, activate, roll back.

Training writes the model file first (``store.save``) and then registers a
``ClassifierVersion`` with its evaluation; on a checkout whose database has no tables yet
the file is kept and ``TrainResult.warning`` says the version was not registered.
Switching versions is for the system administrator (``CLASSIFIER_MANAGE``) and audited.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.classifier import batch, history, store
from civicgrid.classifier.models import ClassifierVersion, ModelKind
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, NotFound, ValidationError
from civicgrid.exchange.importers.base import date_cell_reason
from civicgrid.requests.history_import.reader import DateText, table_records

if TYPE_CHECKING:
    from civicgrid.classifier import engine

TRAINED = "classifier.trained"
ACTIVATED = "classifier.activated"
ROLLED_BACK = "classifier.rolled_back"
HISTORY_MODEL = "catalogue"
MIN_HISTORY_ROWS = 20
MIN_LABELLED_ROWS = 20  # a labelled file, likewise


@dataclass(frozen=True)
class CsvSpec:
    """``PATH:TEXT_COLUMN[:LABEL_COLUMN]`` of the command line."""

    path: Path
    text_column: str
    label_column: str = ""

    @classmethod
    def parse(cls, spec: str, *, with_label: bool) -> "CsvSpec":
        parts = spec.rsplit(":", 2 if with_label else 1)
        wanted = 3 if with_label else 2
        if len(parts) != wanted or not all(p.strip() for p in parts):
            shape = "PATH:TEXT_COLUMN:LABEL_COLUMN" if with_label else "PATH:TEXT_COLUMN"
            raise ValidationError(
                gettext("--csv 的格式应为 {shape}：{spec}").format(shape=shape, spec=spec), field="csv"
            )
        return cls(Path(parts[0]), *(p.strip() for p in parts[1:]))


def read_csv(spec: CsvSpec) -> tuple[list[str], list[str]]:
    """(texts, labels) of a .csv/.txt (UTF-8, GBK or UTF-16) or .xlsx file, a title row above
    the header passed over; labels are empty strings without a label column."""
    _, texts, labels = read_csv_rows(spec)
    return texts, labels


def read_csv_rows(spec: CsvSpec) -> tuple[list[int], list[str], list[str]]:
    """``read_csv`` with each row's number as the spreadsheet shows it (from 1, the header
    and any title or blank row above counted; blank rows are left out). A date cell of an
    .xlsx in the text or label column (3-1 that Excel turned into a date) refuses the file,
    naming its row and column (``date_cell_reason``)."""
    if not spec.path.is_file():
        raise ValidationError(gettext("文件不存在：{path}").format(path=spec.path), field="csv")
    known = [c for c in (spec.text_column, spec.label_column) if c]
    columns, records = table_records(spec.path.name, spec.path.read_bytes(), known=known)
    for column in filter(None, (spec.text_column, spec.label_column)):
        if column not in columns:
            raise ValidationError(
                gettext("{name} 没有「{column}」列（有：{columns}）").format(
                    name=spec.path.name, column=column, columns="、".join(columns)
                ),
                field="csv",
            )
    numbers, texts, labels = [], [], []
    for number, row in records:
        for column in filter(None, (spec.text_column, spec.label_column)):
            if type(row.get(column)) is DateText:
                raise ValidationError(
                    gettext("{name} 第{row}行：{reason}").format(
                        name=spec.path.name, row=number, reason=date_cell_reason(column)
                    ),
                    field="csv",
                )
        numbers.append(number)
        texts.append(row.get(spec.text_column) or "")
        labels.append((row.get(spec.label_column) or "").strip() if spec.label_column else "")
    return numbers, texts, labels


@dataclass
class TrainResult:
    file: str
    size_bytes: int
    bundle: "engine.Bundle"
    version: ClassifierVersion | None
    warning: str = ""


def database_ready() -> bool:
    """Whether this app's tables exist (the command line works without them)."""
    try:
        return ClassifierVersion._meta.db_table in connection.introspection.table_names()
    except DatabaseError:
        return False


def _authorise(actor: Any, system: bool) -> None:
    if not system:
        require_any(actor, Capability.CLASSIFIER_MANAGE)


def classifier_train_csv(
    *, actor: Any, specs: list[CsvSpec], name: str = store.DEFAULT_NAME, system: bool = False
) -> TrainResult:
    """Train a label model on one or more labelled CSV files (rows with an empty label are skipped)."""
    _authorise(actor, system)
    store.check_name(name)
    texts: list[str] = []
    labels: list[str] = []
    for spec in specs:
        more_texts, more_labels = read_csv(spec)
        kept = [(t, label) for t, label in zip(more_texts, more_labels, strict=True) if label]
        texts.extend(t for t, _ in kept)
        labels.extend(label for _, label in kept)
    if len(set(labels)) < 2:
        raise ValidationError(gettext("训练数据至少需要两个不同的标签"), field="csv")
    if len(texts) < MIN_LABELLED_ROWS:  # a model of a handful of rows only guesses
        raise ValidationError(
            gettext("有标签的数据太少（{count} 条），至少需要 {min_labelled_rows} 条").format(
                count=len(texts), min_labelled_rows=MIN_LABELLED_ROWS
            ),
            field="csv",
        )
    from civicgrid.classifier import engine  # numpy, scipy, scikit-learn: only when training

    docs = batch.words_many(texts)
    groups = [" ".join(d) for d in docs]  # exact duplicates after normalisation stay together
    bundle = engine.train_bundle(docs, {"label": labels}, groups)
    source = "、".join(f"{s.path.name}:{s.text_column}:{s.label_column}" for s in specs)
    return _finish(actor, bundle, name, ModelKind.LABEL, source[:255])


def classifier_train_history(
    *, actor: Any, name: str = HISTORY_MODEL, system: bool = False, limit: int = history.HISTORY_LIMIT
) -> TrainResult:
    """Train the catalogue model (category leaf and lead unit) on the requests' final categories."""
    _authorise(actor, system)
    store.check_name(name)
    rows = history.history_rows(limit=limit)
    if len(rows.texts) < MIN_HISTORY_ROWS or len(set(rows.categories)) < 2:
        raise ValidationError(
            gettext("已分类的诉求太少（{count} 条），至少需要 {min_history_rows} 条、两个分类").format(
                count=len(rows.texts), min_history_rows=MIN_HISTORY_ROWS
            ),
            field="history",
        )
    targets: dict[str, list[str]] = {"category": rows.categories}
    if len(set(rows.units)) >= 2:
        targets["unit"] = rows.units
    from civicgrid.classifier import engine  # numpy, scipy, scikit-learn: only when training

    docs = batch.words_many(rows.texts)
    bundle = engine.train_bundle(docs, targets, rows.groups, spec=engine.FeatureSpec.compact())
    bundle.meta["unit_prior"] = rows.unit_prior()
    return _finish(
        actor,
        bundle,
        name,
        ModelKind.CATALOGUE,
        gettext("诉求历史（最近 {count} 条已分类诉求）").format(count=len(rows.texts)),
    )


def _finish(actor: Any, bundle: "engine.Bundle", name: str, kind: str, source: str) -> TrainResult:
    bundle.meta.update(kind=kind, name=name, source=source, trained_at=datetime.now(UTC).isoformat())
    relative, size = store.save(bundle, name)
    if not database_ready():
        warning = gettext("数据库尚未迁移（civicgrid migrate），模型文件已保存，但未登记为模型版本")
        return TrainResult(relative, size, bundle, None, warning)
    version = _register(actor, bundle, name, kind, relative, size)
    return TrainResult(relative, size, bundle, version)


def _register(
    actor: Any, bundle: "engine.Bundle", name: str, kind: str, relative: str, size: int
) -> ClassifierVersion:
    main_head = "label" if kind == ModelKind.LABEL else "category"
    evaluation = bundle.evaluations.get(main_head, {})
    for attempt in range(3):
        try:
            with transaction.atomic():
                top = ClassifierVersion.objects.filter(name=name).aggregate(n=Max("number"))["n"] or 0
                version = ClassifierVersion.objects.create(
                    name=name,
                    number=top + 1,
                    kind=kind,
                    file=relative,
                    source=bundle.meta.get("source", ""),
                    rows=bundle.meta.get("rows", 0),
                    classes=len(bundle.heads[main_head].labels),
                    macro_f1=evaluation.get("macro_f1"),
                    metrics=bundle.evaluations,
                    size_bytes=size,
                    duration_seconds=round(float(bundle.meta.get("seconds", 0.0)), 2),
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                audit_write(
                    actor=actor,
                    verb=TRAINED,
                    target=version,
                    after={"file": relative, "rows": version.rows, "macro_f1": version.macro_f1},
                )
                return version
        except IntegrityError:  # two trainings of one name took the same number: take the next
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _locked_active() -> ClassifierVersion | None:
    return ClassifierVersion.objects.select_for_update().filter(is_active=True).first()


def _switch(current: ClassifierVersion | None, target: ClassifierVersion) -> None:
    if not store.absolute(target.file).is_file():
        raise ValidationError(gettext("模型文件不存在：{file}").format(file=target.file), field="file")
    if current is not None:
        current.is_active = False
        current.save(update_fields=["is_active"])
    target.is_active = True
    target.activated_at = timezone.now()
    target.save(update_fields=["is_active", "activated_at", "replaced"])


def version_activate(*, actor: Any, version_id: int, system: bool = False) -> ClassifierVersion:
    """Make ``version_id`` the version suggestions use; the one it replaces is remembered."""
    _authorise(actor, system)
    with transaction.atomic():
        current = _locked_active()
        version = ClassifierVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None:
            raise NotFound(gettext("模型版本不存在"))
        if current is not None and current.pk == version.pk:
            raise Conflict(gettext("该版本已经是启用版本"))
        version.replaced = current
        _switch(current, version)
        audit_write(
            actor=actor,
            verb=ACTIVATED,
            target=version,
            before={"active": current.pk if current else None},
            after={"active": version.pk},
        )
    return version


def version_rollback(*, actor: Any) -> ClassifierVersion:
    """Go back to the version that was active before the current one."""
    require_any(actor, Capability.CLASSIFIER_MANAGE)
    with transaction.atomic():
        current = _locked_active()
        if current is None:
            raise Conflict(gettext("当前没有启用的模型版本"))
        if current.replaced_id is None:
            raise Conflict(gettext("没有可以回退的上一个版本"))
        previous = ClassifierVersion.objects.select_for_update().get(pk=current.replaced_id)
        _switch(current, previous)
        audit_write(
            actor=actor,
            verb=ROLLED_BACK,
            target=previous,
            before={"active": current.pk},
            after={"active": previous.pk},
        )
    return previous


def classifier_train_enqueue(*, actor: Any) -> str:
    """Queue training on the request history as a background task; returns the task id."""
    require_any(actor, Capability.CLASSIFIER_MANAGE)
    from civicgrid.classifier.tasks import train_from_history

    return str(train_from_history.enqueue(user_id=actor.pk).id)
