"""The catalogue (派单目录): versioned publishing, search, Excel import and export.

A catalogue is published as a whole: ``catalogue_publish`` checks every row first (row,
column and reason in Chinese; nothing is written if one is bad), then creates a new
``CatalogueVersion`` with its three levels of ``Category`` and makes it current in the
same transaction. Published versions never change, so requests keep the category they
were filed under. Codes are two digits per level (``01`` → ``0101`` → ``010101``) and
stable: a category whose names match one of the current version keeps its code, so
dispatch rules keyed by a code prefix keep working; new names get a code never used
before under their parent. A category moved or deleted takes its code with it: the rules
whose prefix then matches no category of the new version (``unmatched_rules``) are listed
after publishing, by the page and the command, with the saved answers (知识库) keyed by such a
prefix (``unmatched_answers``). The page shows what a file would change before publishing it
(``catalogue_import_preview``: leaves added, removed, changed) and publishes one that deletes
leaves only once that is confirmed.

Modules: ``rows`` (columns, spellings, checking rows), ``publish`` (codes and the new
version), ``read`` (selectors and the pinyin search), ``excel`` (.xlsx), ``default``
(the shipped default catalogue). Import the functions from this package.
"""

from civicgrid.requests.catalogue.default import catalogue_link_default_units, catalogue_load_default
from civicgrid.requests.catalogue.excel import (
    XLSX_MAX_BYTES,
    catalogue_import,
    catalogue_import_preview,
    catalogue_xlsx,
    rows_from_xlsx,
)
from civicgrid.requests.catalogue.publish import (
    CatalogueUnchanged,
    Changes,
    RemovalsUnconfirmed,
    Verb,
    catalogue_preview,
    catalogue_publish,
    stale_cli_message,
    unmatched_answers,
    unmatched_answers_text,
    unmatched_rules,
    unmatched_rules_text,
    version_changes,
)
from civicgrid.requests.catalogue.read import (
    catalogue_categories,
    catalogue_rows,
    catalogue_search,
    catalogue_tree,
    catalogue_version_get,
    catalogue_versions,
)
from civicgrid.requests.catalogue.rows import COLUMNS, CleanRow, clean_rows, initials

__all__ = [
    "COLUMNS",
    "XLSX_MAX_BYTES",
    "CatalogueUnchanged",
    "Changes",
    "CleanRow",
    "RemovalsUnconfirmed",
    "Verb",
    "catalogue_categories",
    "catalogue_import",
    "catalogue_import_preview",
    "catalogue_link_default_units",
    "catalogue_load_default",
    "catalogue_preview",
    "catalogue_publish",
    "catalogue_rows",
    "catalogue_search",
    "catalogue_tree",
    "catalogue_version_get",
    "catalogue_versions",
    "catalogue_xlsx",
    "clean_rows",
    "initials",
    "rows_from_xlsx",
    "stale_cli_message",
    "unmatched_answers",
    "unmatched_answers_text",
    "unmatched_rules",
    "unmatched_rules_text",
    "version_changes",
]
