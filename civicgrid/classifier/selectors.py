"""Reads of classifier: suggestions for a text, the automatic-dispatch choice, the versions.

``suggest(text)`` uses the active ``ClassifierVersion``. Its model is loaded once per
process and loaded again when another version becomes active (one small query per call
tells which version is active). A catalogue model suggests catalogue leaves (mapped by code
onto the current catalogue version) and a handling unit for each; a label model trained on
first-level classes suggests the first-level category of the same name.
"""

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.classifier import history, store
from civicgrid.classifier.models import ClassifierVersion, ModelKind
from civicgrid.classifier.text import words
from civicgrid.core.errors import NotFound

if TYPE_CHECKING:
    # The engine loads numpy, scipy and scikit-learn: loading a model file imports it.
    from civicgrid.classifier.engine import Bundle

DEFAULT_AUTO_DISPATCH_CONFIDENCE = 0.9
# A unit the text model finds likely but that never handled the category still counts a little.
UNIT_PRIOR_FLOOR = 0.05


@dataclass(frozen=True)
class Suggestion:
    category_id: int
    category_code: str
    path: tuple[str, ...]
    confidence: float
    unit_id: int | None = None
    unit_name: str = ""
    unit_confidence: float = 0.0

    @property
    def is_leaf(self) -> bool:
        return len(self.path) == 3

    @property
    def full_name(self) -> str:
        return "/".join(self.path)


class _ActiveModel:
    """The active version's bundle, cached in the process, reloaded when the version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, str] | None = None
        self._bundle: Bundle | None = None
        self._kind = ""

    def get(self) -> "tuple[Bundle, str] | None":
        row = ClassifierVersion.objects.filter(is_active=True).values_list("id", "file", "kind").first()
        if row is None:
            return None
        key = (row[0], row[1])
        with self._lock:
            if key != self._key:
                self._bundle, self._kind, self._key = store.load(row[1]), row[2], key
            assert self._bundle is not None
            return self._bundle, self._kind

    def forget(self) -> None:
        with self._lock:
            self._key, self._bundle = None, None


active_model = _ActiveModel()


def suggest(text: str, top: int = 3) -> list[Suggestion]:
    """The ``top`` most likely categories of ``text`` with the unit for each, best first."""
    loaded = active_model.get()
    doc = words(text)
    if loaded is None or not doc or top < 1:
        return []
    bundle, kind = loaded
    catalogue = history.current_catalogue()
    x = bundle.features([doc])
    if kind == ModelKind.CATALOGUE:
        return _catalogue_suggestions(bundle, x, catalogue, top)
    return _label_suggestions(bundle, x, catalogue, top)


def _catalogue_suggestions(
    bundle: "Bundle", x: Any, catalogue: dict[str, history.CatalogueEntry], top: int
) -> list[Suggestion]:
    ranked = bundle.top("category", x, top + 5)[0]
    chosen = [(catalogue[code], p) for code, p in ranked if code in catalogue][:top]
    unit_proba: dict[str, float] = {}
    if "unit" in bundle.heads:
        model = bundle.heads["unit"]
        unit_proba = dict(zip(model.labels, model.proba(x)[0].tolist(), strict=True))
    prior: dict[str, dict[str, float]] = bundle.meta.get("unit_prior", {})
    picks = [_unit_for(entry, unit_proba, prior.get(entry.code, {})) for entry, _ in chosen]
    names = history.unit_names({u for u, _ in picks if u is not None})
    return [
        Suggestion(
            category_id=entry.category_id,
            category_code=entry.code,
            path=entry.path,
            confidence=round(p, 4),
            unit_id=unit if unit in names else None,
            unit_name=names.get(unit, "") if unit is not None else "",
            unit_confidence=round(unit_p, 4) if unit in names else 0.0,
        )
        for (entry, p), (unit, unit_p) in zip(chosen, picks, strict=True)
    ]


def _unit_for(
    entry: history.CatalogueEntry, unit_proba: dict[str, float], prior: dict[str, float]
) -> tuple[int | None, float]:
    """The unit most likely for this text *and* this category: P(unit | text) × (share + floor)."""
    scores = {u: p * (prior.get(u, 0.0) + UNIT_PRIOR_FLOOR) for u, p in unit_proba.items() if u}
    if not scores:
        if prior:
            unit, share = max(prior.items(), key=lambda item: item[1])
            return int(unit), share
        return entry.responsible_unit_id, 0.0
    total = sum(scores.values()) or 1.0
    unit, score = max(scores.items(), key=lambda item: item[1])
    return int(unit), score / total


def _label_suggestions(
    bundle: "Bundle", x: Any, catalogue: dict[str, history.CatalogueEntry], top: int
) -> list[Suggestion]:
    by_name = {e.path[0]: e for e in catalogue.values() if e.level == 1}
    ranked = bundle.top("label", x, len(bundle.heads["label"].labels))[0]
    chosen = [(by_name[label], p) for label, p in ranked if label in by_name][:top]
    names = history.unit_names({e.responsible_unit_id for e, _ in chosen if e.responsible_unit_id})
    return [
        Suggestion(
            category_id=entry.category_id,
            category_code=entry.code,
            path=entry.path,
            confidence=round(p, 4),
            unit_id=entry.responsible_unit_id if entry.responsible_unit_id in names else None,
            unit_name=names.get(entry.responsible_unit_id or 0, ""),
        )
        for entry, p in chosen
    ]


def auto_dispatch_threshold() -> float:
    return float(getattr(settings, "CLASSIFIER_AUTO_DISPATCH_CONFIDENCE", DEFAULT_AUTO_DISPATCH_CONFIDENCE))


def auto_dispatch_choice(text: str) -> Suggestion | None:
    """The best suggestion when it is a catalogue leaf at or above the configured confidence
    (``CIVICGRID_CLASSIFIER_AUTO_DISPATCH``); None sends the request to the triage queue."""
    best = suggest(text, top=1)
    if best and best[0].is_leaf and best[0].confidence >= auto_dispatch_threshold():
        return best[0]
    return None


def versions_visible(actor: Any) -> QuerySet[ClassifierVersion]:
    """Every version, for the system administrator; others are refused."""
    require_any(actor, Capability.CLASSIFIER_MANAGE)
    return ClassifierVersion.objects.select_related("created_by").order_by("-created_at", "-id")


def version_get(actor: Any, version_id: int) -> ClassifierVersion:
    version = versions_visible(actor).filter(pk=version_id).first()
    if version is None:
        raise NotFound(gettext("模型版本不存在"))
    return version
