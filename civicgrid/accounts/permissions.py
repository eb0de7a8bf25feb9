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
        }
    ),
    Role.HANDLER: frozenset({C.TERRITORY_VIEW, C.REGISTRY_VIEW, C.EXPORT, C.RATES_VIEW}),
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
        }
    ),
    Role.LEADER: frozenset(
        {C.TERRITORY_VIEW, C.REGISTRY_VIEW, C.EXPORT, C.REQUEST_VIEW, C.REQUEST_SUPERVISE, C.RATES_VIEW}
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
        }
    ),
    AdminRole.SECURITY: frozenset({C.TERRITORY_VIEW, C.ACCOUNT_MANAGE}),
    AdminRole.AUDIT: frozenset({C.TERRITORY_VIEW, C.AUDIT_VIEW}),
}
