"""How volunteer figures are written, the same on every page (home, index, report, board).

Hours with one decimal (they are kept in half hours, so nothing is rounded away); shares as
a percent with one decimal, rounded half up from the exact counts (docs/formulas.md).
"""

from decimal import ROUND_HALF_UP, Decimal

from civicgrid.core.figures import share_text

TENTH = Decimal("0.1")


def hours_text(hours: Decimal) -> str:
    """54.5 stays 54.5 (never 54 by half-to-even rounding)."""
    return str(Decimal(hours).quantize(TENTH, rounding=ROUND_HALF_UP))


def percent_text(part: int, whole: int) -> str:
    """part / whole as a percent with one decimal, half up ("—" without a whole)."""
    return share_text(part, whole)
