"""What each role may do. Scope (where) comes from the role's nodes; this says what."""

from enum import StrEnum

from civicgrid.accounts.models import AdminRole, Role


class Capability(StrEnum):
    TERRITORY_VIEW = "territory.view"
    TERRITORY_EDIT = "territory.edit"
    GRID_MATTER_EDIT = "territory.grid_matter_edit"
    POSITION_EDIT = "territory.position_edit"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    PII_VIEW = "registry.pii_view"
    IMPORT = "exchange.import"
    EXPORT = "exchange.export"
    AUDIT_VIEW = "audit.view"
    AUDITOR_REVIEW = "audit.review_auditors"  # the auditors' own rows only (三员分立)
    ACCOUNT_MANAGE = "accounts.manage"
    CALENDAR_EDIT = "workcal.edit"
    REQUEST_INTAKE = "requests.intake"
    REQUEST_DISPATCH = "requests.dispatch"
    REQUEST_VIEW = "requests.view"
    REQUEST_VERIFY = "requests.verify"
    REQUEST_SUPERVISE = "requests.supervise"
    REQUEST_CONFIGURE = "requests.configure"
    RATES_VIEW = "requests.rates_view"
    # See a requester's phone in clear (to call back); audited. Not the registry's PII.
    REQUESTER_PII_VIEW = "requests.requester_pii_view"
    # Issue 4: the classifier's versions (train, switch, roll back) and proactive governance.
    CLASSIFIER_MANAGE = "classifier.manage"
    GOVERNANCE_VIEW = "governance.view"
    TOPIC_MANAGE = "governance.topic_manage"
    # Issue 5: volunteers, activities, service orders; the points ledger and shop.
    VOLUNTEER_MANAGE = "volunteers.manage"
    POINTS_MANAGE = "points.manage"
    POINTS_APPROVE = "points.approve"
    # Issue 6: party organisations, dual reporting, committees, alliances.
    PARTY_VIEW = "party.view"
    PARTY_EDIT = "party.edit"
    # Issue 7: grid work (patrols, visits, care plans, campaigns, field updates).
    PATROL = "gridwork.patrol"
    GRIDWORK_VIEW = "gridwork.view"
    GRIDWORK_MANAGE = "gridwork.manage"
    # Red property: contracts, inspections, credit, owners' committees of compounds.
    PROPERTY_VIEW = "property.view"
    PROPERTY_MANAGE = "property.manage"


C = Capability

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.OPERATOR: frozenset(
        {
            C.TERRITORY_VIEW,
            C.REGISTRY_VIEW,
            C.EXPORT,
            C.REQUEST_INTAKE,
            C.REQUEST_DISPATCH,
            C.REQUEST_VIEW,
            C.RATES_VIEW,
            C.REQUESTER_PII_VIEW,
            C.GOVERNANCE_VIEW,
        }
    ),
    # A handler works the requests of their unit (membership, not this role, gives the
    # requests). The role sits on the unit's node, which for a department or a public-service
    # enterprise is the whole district: so it grants nothing of the population registry
    # (最小必要) and no property management (credit, contracts) in the government's name —
    # except the subdistrict office's own staff: property/permissions.py lets a handler whose
    # role sits on a subdistrict node manage that subdistrict's property oversight.
    Role.HANDLER: frozenset(
        {
            C.TERRITORY_VIEW,
            C.EXPORT,
            C.RATES_VIEW,
            C.GOVERNANCE_VIEW,
            C.PROPERTY_VIEW,
        }
    ),
    Role.COMMUNITY_WORKER: frozenset(
        {
            C.TERRITORY_VIEW,
            C.TERRITORY_EDIT,
            C.POSITION_EDIT,
            C.REGISTRY_VIEW,
            C.REGISTRY_EDIT,
            C.PII_VIEW,
            C.IMPORT,
            C.EXPORT,
            C.REQUEST_INTAKE,
            C.REQUEST_VIEW,
            C.RATES_VIEW,
            C.REQUESTER_PII_VIEW,
            C.GOVERNANCE_VIEW,
            C.VOLUNTEER_MANAGE,
            C.POINTS_MANAGE,
            C.PARTY_VIEW,
            C.PARTY_EDIT,
            C.GRIDWORK_VIEW,
            C.GRIDWORK_MANAGE,
            C.PROPERTY_VIEW,
            C.PROPERTY_MANAGE,
        }
    ),
    Role.GRID_WORKER: frozenset(
        {
            C.TERRITORY_VIEW,
            C.REGISTRY_VIEW,
            C.REGISTRY_EDIT,
            C.PII_VIEW,
            C.EXPORT,
            C.REQUEST_INTAKE,
            C.REQUEST_VIEW,
            C.REQUEST_VERIFY,
            C.PARTY_VIEW,
            C.PATROL,
            C.GRIDWORK_VIEW,
            C.PROPERTY_VIEW,
        }
    ),
    Role.LEADER: frozenset(
        {
            C.TERRITORY_VIEW,
            C.REGISTRY_VIEW,
            C.EXPORT,
            C.REQUEST_VIEW,
            C.REQUEST_SUPERVISE,
            C.RATES_VIEW,
            C.GOVERNANCE_VIEW,
            C.TOPIC_MANAGE,
            C.POINTS_APPROVE,
            C.PARTY_VIEW,
            C.GRIDWORK_VIEW,
            C.PROPERTY_VIEW,
            C.PROPERTY_MANAGE,
        }
    ),
    # The party-building office (党建办 / 党建专干) of a subdistrict or district: runs party
    # building over its node (alliances, committees, report confirmation) without the
    # population registry or personal data (最小必要): party pages need neither.
    Role.PARTY_OFFICER: frozenset(
        {
            C.TERRITORY_VIEW,
            C.PARTY_VIEW,
            C.PARTY_EDIT,
            C.EXPORT,
            C.GOVERNANCE_VIEW,
            C.RATES_VIEW,
        }
    ),
}

# Administrators act on the whole tree but only in their own lane (三员分立).
ADMIN_CAPABILITIES: dict[str, frozenset[Capability]] = {
    AdminRole.SYSTEM: frozenset(
        {
            C.TERRITORY_VIEW,
            C.TERRITORY_EDIT,
            C.GRID_MATTER_EDIT,
            C.POSITION_EDIT,
            C.IMPORT,
            C.EXPORT,
            C.CALENDAR_EDIT,
            C.REQUEST_CONFIGURE,
            C.CLASSIFIER_MANAGE,
        }
    ),
    AdminRole.SECURITY: frozenset({C.TERRITORY_VIEW, C.ACCOUNT_MANAGE, C.AUDITOR_REVIEW}),
    AdminRole.AUDIT: frozenset({C.TERRITORY_VIEW, C.AUDIT_VIEW}),
}
