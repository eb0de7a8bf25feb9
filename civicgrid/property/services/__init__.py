"""Writes of red property. Every function checks, then acts in one transaction with an audit row.

* ``contracts``: ``contract_start`` (物业进驻), ``contract_end`` (物业退出),
  ``contract_void`` (撤销录入 of a contract entered by mistake), ``company_profile_set``
  (党建指导员, party branch).
* ``credit``: ``inspection_record`` (物业检查, with its ledger row), ``inspection_void``
  (作废), ``credit_adjust`` (awards and manual deductions by a district or subdistrict),
  ``credit_reverse`` (冲正 of one of them); ``ItemIn``.
* ``committees``: ``committee_create`` (业委会 term), ``committee_term_correct`` (更正任期),
  ``committee_member_add`` (with the negative-list check of the candidate),
  ``committee_member_link`` (关联居民档案), ``committee_member_end`` (a member leaves).
"""

from civicgrid.property.services.committees import (
    committee_create,
    committee_member_add,
    committee_member_end,
    committee_member_link,
    committee_term_correct,
)
from civicgrid.property.services.contracts import (
    company_profile_set,
    contract_end,
    contract_start,
    contract_void,
)
from civicgrid.property.services.credit import (
    ItemIn,
    credit_adjust,
    credit_reverse,
    inspection_record,
    inspection_void,
    serving_contract,
)

__all__ = [
    "ItemIn",
    "committee_create",
    "committee_member_add",
    "committee_member_end",
    "committee_member_link",
    "committee_term_correct",
    "company_profile_set",
    "contract_end",
    "contract_start",
    "contract_void",
    "credit_adjust",
    "credit_reverse",
    "inspection_record",
    "inspection_void",
    "serving_contract",
]
