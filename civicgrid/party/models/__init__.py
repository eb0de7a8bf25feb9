"""Models of party building (issue 6), one module per part of the domain."""

from civicgrid.party.models.alliances import (
    Alliance,
    AllianceMember,
    Need,
    Project,
    ProjectContribution,
    ProjectPhoto,
    ProjectStatusChange,
    Resource,
)
from civicgrid.party.models.committees import (
    CommitteeMember,
    CommitteeWarning,
    Decision,
    FollowUpTask,
    Meeting,
    MeetingAttendance,
)
from civicgrid.party.models.organisations import (
    ContactLink,
    HubLink,
    NeedyVisit,
    PartyMember,
    PartyOrganisation,
)
from civicgrid.party.models.reporting import Agreement, AgreementFile, MemberReport

__all__ = [
    "Agreement",
    "AgreementFile",
    "Alliance",
    "AllianceMember",
    "CommitteeMember",
    "CommitteeWarning",
    "ContactLink",
    "Decision",
    "FollowUpTask",
    "HubLink",
    "Meeting",
    "MeetingAttendance",
    "MemberReport",
    "Need",
    "NeedyVisit",
    "PartyMember",
    "PartyOrganisation",
    "Project",
    "ProjectContribution",
    "ProjectPhoto",
    "ProjectStatusChange",
    "Resource",
]
