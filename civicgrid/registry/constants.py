class Verb:
    RESIDENT_CREATED = "registry.resident_created"
    RESIDENT_UPDATED = "registry.resident_updated"
    RESIDENT_PII_VIEWED = "registry.resident_pii_viewed"
    # A search by a full ID number or phone (blind index): kind and hits, never the value.
    RESIDENT_PII_SEARCHED = "registry.resident_pii_searched"
    # A reveal refused (403: no PII_VIEW there; 404: not visible): the attempt, audited.
    RESIDENT_PII_REFUSED = "registry.resident_pii_refused"
    # A list of residents filtered by a sensitive tag (SENSITIVE_TAGS): the tag and the hits.
    RESIDENT_SENSITIVE_LISTED = "registry.resident_sensitive_listed"
    HOUSEHOLD_CREATED = "registry.household_created"
    DWELLING_CREATED = "registry.dwelling_created"
    DWELLING_UPDATED = "registry.dwelling_updated"
    ORGANISATION_CREATED = "registry.organisation_created"
    ORGANISATION_UPDATED = "registry.organisation_updated"
    ORGANISATION_PII_VIEWED = "registry.organisation_pii_viewed"
    RESIDENT_ACCOUNT_OPENED = "registry.resident_account_opened"


class PiiKind:
    """Which identifier a search was by (the audit row of ``RESIDENT_PII_SEARCHED``)."""

    ID_NUMBER = "id_number"
    PHONE = "phone"


# Tags whose holders are listed by name only to those who may reveal PII where they live
# (``Capability.PII_VIEW``), and every such listing is audited (``selectors.resident_search``).
SENSITIVE_TAGS = frozenset({"serious_mental_illness", "community_corrections", "low_income"})


# Tags every installation starts with (editable in the admin).
# i18n: data (rows written to the database by migration 0003; their names are then edited there)
DEFAULT_TAGS = [
    ("elderly_alone", "独居老人", True),
    ("empty_nest", "空巢老人", True),
    ("disabled", "残疾人", True),
    ("low_income", "低保户", True),
    ("extreme_poverty", "特困人员", True),
    ("needy_party_member", "困难党员", True),
    ("left_behind_child", "留守儿童", True),
    ("veteran", "退役军人", False),
    ("party_member", "党员", False),
    ("volunteer", "志愿者", False),
    ("community_corrections", "社区矫正人员", True),
    ("serious_mental_illness", "严重精神障碍患者", True),
]
