"""Writes of red property. Every function checks, then acts in one transaction with an audit row.

* ``contracts``: ``contract_start`` (物业进驻), ``contract_end`` (物业退出),
  ``company_profile_set`` (党建指导员, party branch).
* ``credit``: ``inspection_record`` (物业检查, with its ledger row), ``credit_adjust``
  (awards and manual deductions by a district or subdistrict); ``ItemIn``.
* ``committees``: ``committee_create`` (业委会 term), ``committee_member_add`` (with the
  negative-list check of the candidate), ``committee_member_end`` (a member leaves).
"""

from civicgrid.property.services.committees import (
    committee_create,
    committee_member_add,
    committee_member_end,
)
from civicgrid.property.services.contracts import company_profile_set, contract_end, contract_start
from civicgrid.property.services.credit import ItemIn, credit_adjust, inspection_record, serving_contract

__all__ = [
    "ItemIn",
    "committee_create",
    "committee_member_add",
    "committee_member_end",
    "company_profile_set",
    "contract_end",
    "contract_start",
    "credit_adjust",
    "inspection_record",
    "serving_contract",
]
