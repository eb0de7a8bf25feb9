"""The shipped default catalogue (派单目录) and the default departments it refers to.

``default_rows()`` gives the catalogue as rows for ``catalogue.catalogue_publish``;
``DEFAULT_DEPARTMENTS`` the units ``units.departments_install_default`` creates.
Sources and choices: SOURCES.md in this folder.
"""

from civicgrid.requests.defaults.builder import default_rows
from civicgrid.requests.defaults.departments import DEFAULT_DEPARTMENTS, DEFAULT_UNIT_CODES, UnitSpec

__all__ = ["DEFAULT_DEPARTMENTS", "DEFAULT_UNIT_CODES", "UnitSpec", "default_rows"]
