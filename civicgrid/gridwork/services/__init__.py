"""Writes of grid work, one module per kind of entry; import the functions from here."""

from civicgrid.gridwork.services.campaigns import (
    campaign_assign,
    campaign_check,
    campaign_close,
    campaign_launch,
    default_checklist,
)
from civicgrid.gridwork.services.care import (
    VisitIn,
    care_plan_create,
    care_plan_end,
    care_plan_update,
    care_plans_generate,
    care_scan,
    light_for,
    visit_record,
)
from civicgrid.gridwork.services.common import Saved
from civicgrid.gridwork.services.findings import FindingIn, finding_record
from civicgrid.gridwork.services.patrols import PointIn, patrol_end, patrol_points_add, patrol_start
from civicgrid.gridwork.services.proposals import (
    ProposalIn,
    proposal_approve,
    proposal_reject,
    proposal_submit,
)

__all__ = [
    "FindingIn",
    "PointIn",
    "ProposalIn",
    "Saved",
    "VisitIn",
    "campaign_assign",
    "campaign_check",
    "campaign_close",
    "campaign_launch",
    "care_plan_create",
    "care_plan_end",
    "care_plan_update",
    "care_plans_generate",
    "care_scan",
    "default_checklist",
    "finding_record",
    "light_for",
    "patrol_end",
    "patrol_points_add",
    "patrol_start",
    "proposal_approve",
    "proposal_reject",
    "proposal_submit",
    "visit_record",
]
