from typing import Any

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "civicgrid.governance"
    label = "governance"
    verbose_name = "主动治理"
    # What this app contributes to shared screens (see civicgrid.web.contrib):
    # menu entries (label, url name, capability or predicate on the user) and a dotted
    # path to ``home_figures(user) -> list[Figure]`` for the home page.
    menu: list[tuple[str, str, Any]] = []
    home_figures: str | None = None
    # Dotted path to ``seed_demo(*, seed, out)``, run by ``civicgrid demo_extras``.
    demo: str | None = None
