"""Where points came from, said in Chinese: ``Movement.source`` / ``source_ref`` and a stock
entry's ``ref`` are codes (``volunteers.order`` + ``order:96``, ``redemption:14``) that
pages show as a label and, where the record has a page, a link to it.

Other apps write their own sources; their labels and pages are named here by string and URL
name only, so points imports none of them.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_lazy

from civicgrid.core.i18n import StrOrPromise
from civicgrid.points.constants import Source
from civicgrid.points.models import Movement, Redemption, StockEntry

SOURCE_LABELS: dict[str, StrOrPromise] = {
    Source.MANUAL: gettext_lazy("线下活动发放"),
    Source.ADJUSTMENT: gettext_lazy("积分调整"),
    Source.EXPIRY: gettext_lazy("积分到期"),
    Source.REDEMPTION: gettext_lazy("积分兑换"),
    Source.DEMO: gettext_lazy("演示数据"),
    "volunteers.activity": gettext_lazy("志愿活动"),
    "volunteers.order": gettext_lazy("点单服务"),
    "party.project_contribution": gettext_lazy("党建项目"),
}
OTHER_SOURCE = gettext_lazy("其他来源")


@dataclass(frozen=True)
class Described:
    label: StrOrPromise
    url: str = ""
    code: str = ""  # the stored code, for a title attribute (auditors, support)


def _url(name: str, *args: object, query: str = "") -> str:
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return ""


def _number(part: str) -> int | None:
    return int(part) if part.isdecimal() else None


def _redemption_codes(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(Redemption.objects.filter(pk__in=wanted).values_list("pk", "code"))


def _redemption_id(m: Movement) -> int | None:
    return _number(m.source_ref.split(":", 1)[0]) if m.source == Source.REDEMPTION else None


def describe_movements(movements: Iterable[Movement]) -> dict[int, Described]:
    """Each movement's source in Chinese, with a link to the record where there is a page."""
    rows = list(movements)
    codes = _redemption_codes(_redemption_id(m) for m in rows)
    return {m.pk: _describe(m, codes) for m in rows}


def _describe(m: Movement, codes: dict[int, str]) -> Described:
    code = f"{m.source} {m.source_ref}"
    label = SOURCE_LABELS.get(m.source, OTHER_SOURCE)
    parts = m.source_ref.split(":")
    if m.source == Source.REDEMPTION and (found := codes.get(_redemption_id(m) or 0)):
        return Described(
            gettext("{label}（取货码 {found}）").format(label=label, found=found),
            _url("points:redemptions", query=f"?code={found}"),
            code,
        )
    if m.source == Source.ADJUSTMENT and _number(m.source_ref) is not None:
        return Described(
            gettext("{label}（申请 {source_ref} 号）").format(label=label, source_ref=m.source_ref),
            _url("points:adjustments", query="?status=all"),
            code,
        )
    if m.source == "volunteers.order" and len(parts) == 2 and (pk := _number(parts[1])) is not None:
        return Described(label, _url("volunteers:order", pk), code)
    if m.source == "party.project_contribution" and len(parts) >= 2 and (pk := _number(parts[1])) is not None:
        return Described(label, _url("party:project", pk), code)
    return Described(label, "", code)


def describe_stock_entries(entries: Iterable[StockEntry]) -> dict[int, Described]:
    """A stock entry's ``ref``: a redemption as its pickup code (linked), else the note typed."""
    rows = list(entries)

    def redemption(e: StockEntry) -> int | None:
        kind, _, rest = e.ref.partition(":")
        return _number(rest) if kind == "redemption" else None

    codes = _redemption_codes(redemption(e) for e in rows)
    out: dict[int, Described] = {}
    for e in rows:
        pk = redemption(e)
        if pk is None:
            out[e.pk] = Described(e.ref)
        elif pk in codes:
            out[e.pk] = Described(
                gettext("兑换单（取货码 {code}）").format(code=codes[pk]),
                _url("points:redemptions", query=f"?code={codes[pk]}"),
                e.ref,
            )
        else:
            out[e.pk] = Described(gettext("兑换单（已删除）"), "", e.ref)
    return out
