"""A lean multi-row INSERT for large imports, filling in the new ids like ``bulk_create``.

``bulk_create`` spends most of its time sending every single value through the field
machinery (``pre_save``, ``get_db_prep_save``, a placeholder per value); a file of 50,000
residents holds about 850,000 values. ``insert`` chooses once per column how its value
is prepared, calls ``get_db_prep_save`` only for columns whose database value differs
from the Python one (dates, decimals…), sets ``auto_now``/``auto_now_add`` columns to one
timestamp, and sends one statement per batch: ``UNNEST`` of one array per column on
PostgreSQL (the form Django's own ``bulk_create`` uses there), multi-row ``VALUES``
elsewhere, both with ``RETURNING`` the ids. Models it cannot handle that way (custom
placeholders, unusual column types, no ``RETURNING``) go through ``bulk_create``.

``insert_together`` writes the rows of several models as one statement on PostgreSQL (a
data-modifying CTE per model): the few rows of one change — a new request, its history,
work orders, audit rows — for the cost of one round trip and one statement's overhead.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection
from django.db.models import DateField, Field, Model
from django.utils import timezone

M = TypeVar("M", bound=Model)
Prepare = Callable[[Model], Any]

# Internal types whose database value is the Python value itself.
PLAIN_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
}


def _internal_type(field: Field[Any, Any]) -> str:
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    return str(target.get_internal_type())


def _fields(model: type[Model], with_pk: bool = False) -> list[Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


@cache
def _supported(model: type[Model]) -> bool:
    if not connection.features.can_return_rows_from_bulk_insert:
        return False
    return all(
        not hasattr(f, "get_placeholder") and _internal_type(f) in connection.data_types
        for f in _fields(model)
    )


def _statement(plan: "_Plan", rows: int) -> str:
    """The INSERT for ``rows`` rows; names come from the model's metadata, quoted, values are
    params: ``UNNEST`` of one array per column on PostgreSQL, else multi-row ``VALUES``."""
    if connection.vendor != "postgresql":
        return _values_insert(plan, rows)
    arrays = ", ".join(f"(%s)::{str(f.db_type(connection)).split('(')[0]}[]" for f in plan.fields)
    return f"INSERT INTO {plan.table} ({plan.columns}) SELECT * FROM UNNEST({arrays}) RETURNING {plan.pk}"  # noqa: S608


def _values_insert(plan: "_Plan", rows: int) -> str:
    row = "(" + ", ".join(["%s"] * plan.width) + ")"
    return f"INSERT INTO {plan.table} ({plan.columns}) VALUES {', '.join([row] * rows)} RETURNING {plan.pk}"  # noqa: S608


def insert(model: type[M], objs: list[M], *, batch_size: int = 1000) -> None:
    """Insert ``objs`` (unsaved instances of ``model``) and set their primary keys."""
    if not objs:
        return
    if not _supported(model):
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    plan = _plan(model, False, connection.vendor)
    now = timezone.now()
    if connection.vendor != "postgresql":
        limit = connection.features.max_query_params or 999
        batch_size = min(batch_size, max(1, limit // plan.width))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            rows = _rows(plan, batch, now)
            if connection.vendor == "postgresql":
                params: list[Any] = [list(column) for column in zip(*rows, strict=True)]
            else:
                params = [value for row in rows for value in row]
            cursor.execute(_statement(plan, len(batch)), params)
            _saved(model, batch, [pk for (pk,) in cursor.fetchall()])


def _saved(model: type[Model], objs: Sequence[Model], pks: Sequence[Any]) -> None:
    """Give the inserted objects their ids and mark them saved, as ``bulk_create`` does."""
    pk_name = model._meta.pk.attname
    for obj, pk in zip(objs, pks, strict=True):
        setattr(obj, pk_name, pk)
        obj._state.adding = False
        obj._state.db = connection.alias


def _given_pk(objs: Sequence[Model]) -> bool:
    """Whether the rows come with their primary keys (all of them) or take the table's."""
    given = {obj.pk is not None for obj in objs}
    if len(given) > 1:
        raise ValueError("either every row or none has its primary key set")
    return given == {True}


@dataclass(frozen=True)
class _Plan:
    """How a model's rows are written: its fields, its table, columns and primary key quoted
    for SQL, a getter of each column's database value, the positions of ``auto_now`` fields."""

    fields: list[Field[Any, Any]]
    table: str
    columns: str
    width: int
    pk: str
    getters: list[Prepare]
    stamped: list[int]


@cache
def _plan(model: type[Model], with_pk: bool, vendor: str) -> _Plan:
    qn = connection.ops.quote_name
    fields = _fields(model, with_pk)
    getters: list[Prepare] = []
    for field in fields:
        get = attrgetter(field.attname)
        kind = _internal_type(field)
        if kind in PLAIN_TYPES:
            getters.append(get)
        elif kind == "DateTimeField" and vendor == "postgresql":
            getters.append(partial(_aware_or_db_value, field, get))
        else:
            getters.append(partial(_db_value, field, get))
    return _Plan(
        fields=fields,
        table=qn(model._meta.db_table),
        columns=", ".join(qn(f.column) for f in fields),
        width=len(fields),
        pk=qn(model._meta.pk.column),
        getters=getters,
        stamped=[
            i for i, f in enumerate(fields) if isinstance(f, DateField) and (f.auto_now or f.auto_now_add)
        ],
    )


def _rows(plan: _Plan, objs: Sequence[Model], now: Any) -> list[list[Any]]:
    """Each object's database values. ``auto_now`` fields take ``now``, on the objects too
    (its database value prepared once)."""
    getters = list(plan.getters)
    for i in plan.stamped:
        getters[i] = partial(_constant, plan.fields[i].get_db_prep_save(now, connection))
    names = [plan.fields[i].attname for i in plan.stamped]
    rows = []
    for obj in objs:
        for name in names:
            setattr(obj, name, now)
        rows.append([get(obj) for get in getters])
    return rows


def _constant(value: Any, obj: Model) -> Any:
    return value


def _db_value(field: Field[Any, Any], get: Prepare, obj: Model) -> Any:
    return field.get_db_prep_save(get(obj), connection)


def _aware_or_db_value(field: Field[Any, Any], get: Prepare, obj: Model) -> Any:
    """A time column on PostgreSQL: an aware datetime (or None) goes as it is, which is what
    Django's preparation returns for it there; anything else (a naive time, a string, an
    expression) takes that preparation, with its checks and warnings."""
    value = get(obj)
    if value is None or (type(value) is datetime and value.tzinfo is not None):
        return value
    return field.get_db_prep_save(value, connection)


def insert_together(groups: Sequence[tuple[type[Model], Sequence[Model]]]) -> None:
    """Insert the rows of several models, in the order given, and set their ids.

    On PostgreSQL one statement: ``WITH t0 AS (INSERT … VALUES … RETURNING id), t1 AS (…)
    SELECT …``. Rows of a later group may point to rows of an earlier one whose primary
    key was set beforehand (from the table's sequence): Django's foreign keys there are
    checked at the commit. Elsewhere, or for a model ``insert`` cannot handle, one
    statement per model (``insert``)."""
    groups = [(model, list(objs)) for model, objs in groups if objs]
    if connection.vendor != "postgresql" or not all(_supported(model) for model, _ in groups):
        for model, objs in groups:
            if _given_pk(objs):
                model._default_manager.bulk_create(objs)
            else:
                insert(model, list(objs))
        return
    if not groups:
        return
    now = timezone.now()
    ctes: list[str] = []
    reads: list[str] = []
    params: list[Any] = []
    for i, (model, objs) in enumerate(groups):
        plan = _plan(model, _given_pk(objs), connection.vendor)
        ctes.append(f"t{i} AS ({_values_insert(plan, len(objs))})")
        reads.append(f"SELECT {i}, {plan.pk} FROM t{i}")  # noqa: S608 (names from the models' metadata)
        for values in _rows(plan, objs, now):
            params.extend(values)
    sql = f"WITH {', '.join(ctes)} {' UNION ALL '.join(reads)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids: dict[int, list[Any]] = {}
        for group, pk in cursor.fetchall():
            ids.setdefault(group, []).append(pk)
    for i, (model, objs) in enumerate(groups):
        _saved(model, objs, ids.get(i, []))
