"""How a share is written on every page: a percent with one decimal, rounded half up from
the exact counts (docs/formulas.md). ``round()`` on a float rounds half to even and works on
the float's binary value, so 1/16 showed as 6.2% on one page and 6.3% on another."""

from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def share_percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal, half up; None without a whole."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def share_text(part: int, whole: int, empty: str = "—") -> str:
    """``share_percent`` as text with its sign ("6.3%"), or ``empty`` without a whole."""
    share = share_percent(part, whole)
    return empty if share is None else f"{share}%"
