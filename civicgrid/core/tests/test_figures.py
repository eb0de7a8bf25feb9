"""One way of writing a share on every page: one decimal, half up from the exact counts.
Party and grid work used round() on a float (half to even), so 1/16 read 6.2% there and
6.3% on the volunteer pages."""

from decimal import Decimal

from civicgrid.core.figures import share_percent, share_text
from civicgrid.gridwork.logbook import Progress, _pct
from civicgrid.party.figures import Rate
from civicgrid.volunteers.numbers import percent_text


def test_a_share_is_rounded_half_up_from_the_exact_counts() -> None:
    assert share_percent(1, 16) == Decimal("6.3")  # 6.25
    assert share_percent(1, 3) == Decimal("33.3") and share_percent(2, 3) == Decimal("66.7")
    assert share_percent(7, 7) == Decimal("100.0") and share_percent(0, 5) == Decimal("0.0")
    assert share_percent(3, 0) is None and share_text(3, 0) == "—"
    assert share_text(29, 1000) == "2.9%"  # 2.9 exactly, not 2.8999…


def test_party_grid_work_and_volunteers_write_the_same_share_alike() -> None:
    assert Rate(total=16, reported=1).shown == "6.3%"
    assert Rate(total=16, reported=1).percent == 6.3
    assert Rate(total=0).percent is None and Rate(total=0).shown == "—"
    assert _pct(1, 16) == "6.3%" and _pct(0, 0) == "—"
    assert Progress("网格", None, total=16, done=1, unreachable=0, refused=0).percent == 6.3
    assert percent_text(1, 16) == "6.3%"
