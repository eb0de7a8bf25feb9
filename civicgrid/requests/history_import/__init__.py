"""Bulk import of historical (already closed) requests from .csv or .xlsx (历史诉求导入).

``requests_history_import(actor=, file_name=, data=, dry_run=, skip_existing=)`` checks
every row first and reports every problem as (row, column, reason), importing nothing
if any row is bad (the contract of ``civicgrid.exchange``); then writes everything in one
transaction — COPY on PostgreSQL, multi-row INSERTs on SQLite — with one audit row.

* ``columns``: the column template (``COLUMNS``, ``template_csv``, ``template_xlsx``);
* ``reader``: .csv/.xlsx to numbered rows; ``cells``: times and choices;
* ``validate``: every check, and who may import where (``Scope``);
* ``writer``: the table rows and how they are written; ``service``: the whole import.

Command: ``civicgrid requests_import_history PATH [--dry-run]``; figures:
``bench/history_import.py``; docs: docs/modules/requests.md, "Importing historical requests".
"""

from civicgrid.requests.history_import.columns import COLUMNS, template_csv, template_xlsx
from civicgrid.requests.history_import.service import VERB, HistoryImportResult, requests_history_import

__all__ = [
    "COLUMNS",
    "VERB",
    "HistoryImportResult",
    "requests_history_import",
    "template_csv",
    "template_xlsx",
]
