"""What every importer shares: row errors, scope checks, node lookup and cell parsing.

An importer first validates every row (``validate``), collecting each problem as
(row, column header, reason) and preparing unsaved model instances; only when no row is
bad does the service call ``save`` inside one transaction.
"""

from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_paths
from civicgrid.core.errors import ValidationError
from civicgrid.core.validators import fold
from civicgrid.exchange.cells import (
    credit_code_cell,
    date_reason,
    id_number_cell,
    parse_date,
    person_name,
    phone_cell,
)
from civicgrid.exchange.columns import COLUMNS, Column
from civicgrid.exchange.constants import PROGRESS_EVERY
from civicgrid.exchange.readers import Row
from civicgrid.territory.models import Node, NodeKind

__all__ = ["Importer", "Progress", "RowError", "chunked", "parse_date"]

Progress = Callable[[int], None]
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str
    # What names the row besides its number (a GeoJSON feature's code or name), if anything.
    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        found = {"row": self.row, "column": self.column, "reason": self.reason}
        return found | {"label": self.label} if self.label else found


def chunked(items: Iterable[str], size: int = LOOKUP_CHUNK) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def date_cell_reason(header: str) -> str:
    """Why a date or time cell outside a date column is refused (``Importer.date_problems``)."""
    return _(
        "{header}是日期或时间格式（Excel 会把 3-1、3:15 这样的内容自动转成日期或时间），"
        "请把该列设为文本格式后重新录入"
    ).format(header=header)


class Importer:
    kind: ClassVar[str]
    edit_capability: ClassVar[Capability]
    # (row, column key) of the date cells outside date columns ``each`` reported: read as ""
    # by ``text``, they get no second problem of their own ("名称不能为空").
    _date_cells: Set[tuple[int, str]] = frozenset()

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.columns: dict[str, Column] = {c.key: c for c in COLUMNS[self.kind]}
        self.errors: list[RowError] = []
        self._bad_rows: set[int] = set()
        self._import_paths = scope_paths(actor, Capability.IMPORT)
        self._edit_paths = scope_paths(actor, self.edit_capability)
        self.nodes: dict[str, Node] = {}

    # --- the two steps ------------------------------------------------------------------

    def validate(self, rows: list[Row], progress: Progress) -> list[RowError]:
        raise NotImplementedError

    def save(self) -> dict[str, int]:
        """Write what ``validate`` prepared; runs inside the import's transaction."""
        raise NotImplementedError

    # --- errors -------------------------------------------------------------------------

    def error(self, row: Row | int, key: str, reason: str) -> None:
        number = row if isinstance(row, int) else row.number
        if (number, key) in self._date_cells:
            return
        column = self.columns[key].header if key in self.columns else key
        self.errors.append(RowError(number, column, reason))
        self._bad_rows.add(number)

    def field_errors(self, row: Row, errors: dict[str, list[str]], fields: dict[str, str]) -> None:
        """Errors keyed by service field names, reported under this file's columns."""
        for name, reasons in errors.items():
            for reason in reasons:
                self.error(row, fields.get(name, name), reason)

    def validation_error(self, row: Row, exc: ValidationError, fields: dict[str, str]) -> None:
        if exc.errors:
            self.field_errors(row, exc.errors, fields)
        else:
            self.error(row, next(iter(fields.values())), exc.message)

    def is_bad(self, row: Row) -> bool:
        return row.number in self._bad_rows

    def sorted_errors(self) -> list[RowError]:
        order = {c.header: i for i, c in enumerate(self.columns.values())}
        return sorted(self.errors, key=lambda e: (e.row, order.get(e.column, 99)))

    def each(self, rows: list[Row], progress: Progress) -> Iterator[Row]:
        """The rows to check, in order. A row whose cells the reader refused (a NUL, a quote
        left open) is reported for those alone: what such a row holds is no data to check. A
        date outside a date column (``date_problems``) is reported and the row's other cells
        are checked too, so that all of its problems show at once (an empty 名称 and a wrong
        经度 beside it); the date cell itself gets no second problem."""
        date_cells: set[tuple[int, str]] = set()
        self._date_cells = date_cells
        for index, row in enumerate(rows, start=1):
            for key, reason in row.problems:
                self.error(row, key, reason)
            if not row.problems:
                for key, reason in self.date_problems(row):
                    self.error(row, key, reason)
                    date_cells.add((row.number, key))
                yield row
            if index % PROGRESS_EVERY == 0:
                progress(index)
        progress(len(rows))

    # --- scope and nodes ----------------------------------------------------------------

    def may_write(self, path: str) -> bool:
        return any(path.startswith(p) for p in self._import_paths) and any(
            path.startswith(p) for p in self._edit_paths
        )

    def load_nodes(self, codes: Iterable[str]) -> None:
        wanted = {c for c in codes if c and c not in self.nodes}
        fields = ("id", "code", "name", "kind", "path", "depth", "is_active")
        for batch in chunked(sorted(wanted)):
            for node in Node.objects.filter(code__in=batch).only(*fields):
                self.nodes[node.code] = node

    def target_node(self, row: Row, key: str = "node_code", kinds: Set[str] | None = None) -> Node | None:
        """The existing node a row names, checked for existence, kind, activity and scope."""
        code = self.code(row, key)
        if not code:
            self.error(row, key, _("区域编码不能为空"))
            return None
        node = self.nodes.get(code)
        if node is None:
            self.error(row, key, _("区域编码 {code} 不存在").format(code=code))
            return None
        if not self.may_write(node.path):
            self.error(row, key, _("区域编码 {code} 不在您可导入的管辖范围内").format(code=code))
            return None
        if not node.is_active:
            self.error(row, key, _("区域编码 {code}（{name}）已停用").format(code=code, name=node.name))
            return None
        if kinds is not None and node.kind not in kinds:
            names = "、".join(str(NodeKind(k).label) for k in sorted(kinds))
            self.error(
                row,
                key,
                _("所属区域应为：{names}（{code} 是{kind}）").format(
                    names=names, code=code, kind=node.get_kind_display()
                ),
            )
            return None
        return node

    # --- cells --------------------------------------------------------------------------

    def takes_dates(self, key: str) -> bool:
        """Whether a date cell means a date in this column (``Column.is_date``)."""
        column = self.columns.get(key)
        return column is None or column.is_date

    def date_problems(self, row: Row) -> list[tuple[str, str]]:
        """Date cells outside date columns: Excel turns 3-1 or 12-2 typed into a cell not
        formatted as text into a date (shown 3月1日) and stores only the date, so a room,
        a household code or a name would become 2026-03-01; 3:15 or 1:2 likewise become a
        time (03:15:00). Refused, never stored."""
        return [
            (key, date_cell_reason(self.header(key)))
            for key, value in row.values.items()
            if isinstance(value, (date, time)) and not self.takes_dates(key)
        ]

    def text(self, row: Row, key: str) -> str:
        """A cell as text; a date cell as its ISO date in a date column, and as "" elsewhere
        (what was typed there is lost: ``each`` refuses the row, ``date_problems``)."""
        value = row.values.get(key, "")
        if type(value) is str:  # the common case: readers already strip text
            return value
        if isinstance(value, date):
            return value.isoformat() if self.takes_dates(key) else ""
        if isinstance(value, time):  # never a date: refused in a date column by its parser
            return value.isoformat() if self.takes_dates(key) else ""
        return str(value).strip()

    def code(self, row: Row, key: str) -> str:
        """A code cell: full-width letters and digits as ASCII, capitals."""
        return fold(self.text(row, key)).upper()

    def header(self, key: str) -> str:
        return self.columns[key].header if key in self.columns else key

    def _identifier(self, row: Row, key: str, read: Callable[[Any, str], tuple[str, str | None]]) -> str:
        value, problem = read(row.values.get(key, ""), self.header(key))
        if problem is not None:
            self.error(row, key, problem)
        return value

    def id_number(self, row: Row, key: str = "id_number") -> str:
        """The row's ID number as stored (full-width forms, spaces and invisible characters
        gone); "" with an error when masked or mangled by Excel. Check digits are the caller's."""
        return self._identifier(row, key, id_number_cell)

    def credit_code(self, row: Row, key: str = "credit_code") -> str:
        """Like ``id_number``, for a unified social credit code."""
        return self._identifier(row, key, credit_code_cell)

    def phone(self, row: Row, key: str = "phone") -> str:
        """The row's phone in its canonical form (``core.validators.normalise_phone``);
        "" with an error when it is none."""
        return self._identifier(row, key, phone_cell)

    def name_text(self, row: Row, key: str) -> str:
        """A person's name cell as stored (``cells.person_name``): "王　伟" is 王伟."""
        return person_name(self.text(row, key))

    def required_text(self, row: Row, key: str, max_length: int, *, name: bool = False) -> str:
        """A required text cell; ``name``: a person's name (``name_text``)."""
        value = self.name_text(row, key) if name else self.text(row, key)
        if not value:
            self.error(row, key, _("{header}不能为空").format(header=self.columns[key].header))
        elif len(value) > max_length:
            self.error(
                row,
                key,
                _("{header}最长{max_length}个字").format(
                    header=self.columns[key].header, max_length=max_length
                ),
            )
        return value

    def optional_text(self, row: Row, key: str, max_length: int) -> str:
        value = self.text(row, key)
        if len(value) > max_length:
            self.error(
                row,
                key,
                _("{header}最长{max_length}个字").format(
                    header=self.columns[key].header, max_length=max_length
                ),
            )
        return value

    def choice(self, row: Row, key: str) -> str:
        """The code value of a choice cell; the raw text when unknown (the service's check names it)."""
        raw = self.text(row, key)
        if not raw:
            return ""
        return self.columns[key].choice_value(raw) or raw

    def date(self, row: Row, key: str) -> date | None:
        value = row.values.get(key, "")
        if value in ("", None):
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.error(row, key, date_reason(self.header(key), value))
            return None

    def number(self, row: Row, key: str) -> Decimal | None:
        raw = fold(self.text(row, key))
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
            self.error(row, key, _("{header}应为数字").format(header=self.columns[key].header))
            return None
        return value
