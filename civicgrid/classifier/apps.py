from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civicgrid.core.i18n import StrOrPromise


def _manages_classifier(user: Any) -> bool:
    from civicgrid.accounts.permissions import Capability
    from civicgrid.accounts.selectors import has_capability

    return has_capability(user, Capability.CLASSIFIER_MANAGE)


class ClassifierConfig(AppConfig):
    name = "civicgrid.classifier"
    label = "classifier"
    verbose_name = _("智能分类")
    # What this app contributes to shared screens (see civicgrid.web.contrib):
    # menu entries (label, url name, capability or predicate on the user) and a dotted
    # path to ``home_figures(user) -> list[Figure]`` for the home page.
    menu: list[tuple[StrOrPromise, str, Any]] = [(_("智能分类"), "classifier:versions", _manages_classifier)]
    home_figures: str | None = "civicgrid.classifier.figures.home_figures"
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = "civicgrid.classifier.demo.seed_demo"
