"""The templates' example row is never imported.

A template's second row shows what a filled row looks like (``sheets.EXAMPLE_VALUES``); a
template uploaded as it was downloaded would otherwise create 张三 and a household. A row
whose cells are the example's, whatever its node or household code and its point (these
differ from one downloading actor to another), is the example: the import skips it and says which rows it
skipped (``import_job_run``).
"""

from datetime import date
from typing import Any

from civicgrid.exchange.cells import comparable
from civicgrid.exchange.readers import Row
from civicgrid.exchange.sheets import EXAMPLE_VARIANTS, PER_ACTOR_KEYS

# Fewer of the example's columns than this in a file, and a row cannot be told from real data.
MIN_SHARED_COLUMNS = 3


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "").strip()


def is_example(kind: str, row: Row) -> bool:
    """Whether every cell the file has of an example's columns holds that example's value
    (the nodes template shows one of two: ``sheets.EXAMPLE_VARIANTS``)."""
    return any(_is(example, row) for example in EXAMPLE_VARIANTS.get(kind, []))


def _is(example: dict[str, str], row: Row) -> bool:
    shared = [key for key in example if key in row.values and key not in PER_ACTOR_KEYS]
    if len(shared) < min(MIN_SHARED_COLUMNS, len(example)):
        return False
    return all(comparable(_text(row.values[key])) == comparable(example[key]) for key in shared)


def example_rows(kind: str, rows: list[Row]) -> list[int]:
    """The numbers of the rows that are the template's example."""
    return [row.number for row in rows if not row.problems and is_example(kind, row)]
