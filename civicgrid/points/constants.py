"""Named constants of points: audit verbs and the sources of the app's own movements."""

from enum import StrEnum


class Verb(StrEnum):
    EARNED = "points.earned"
    EARNED_BATCH = "points.earned_batch"
    HOURS_BANKED = "points.hours_banked"
    EXPIRED = "points.expired"
    ADJUSTMENT_REQUESTED = "points.adjustment_requested"
    ADJUSTMENT_APPROVED = "points.adjustment_approved"
    ADJUSTMENT_REJECTED = "points.adjustment_rejected"
    RULE_SAVED = "points.rule_saved"
    POLICY_SET = "points.policy_set"
    GOODS_CREATED = "points.goods_created"
    GOODS_UPDATED = "points.goods_updated"
    GOODS_RESTOCKED = "points.goods_restocked"
    REDEEMED = "points.redeemed"
    HANDED_OVER = "points.handed_over"
    REDEMPTION_CANCELLED = "points.redemption_cancelled"
    REDEMPTION_EXPIRED = "points.redemption_expired"


class Source(StrEnum):
    """``Movement.source`` of movements this app makes itself (other apps use their own)."""

    MANUAL = "points.manual"
    ADJUSTMENT = "points.adjustment"
    EXPIRY = "points.expiry"
    REDEMPTION = "points.redemption"
    DEMO = "points.demo"
