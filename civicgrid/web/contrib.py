"""What each domain app contributes to the shared screens, read from its AppConfig.

An app's config may declare ``menu`` (a list of ``(label, url name, test)``, the test a
Capability or a predicate on the user), ``home_figures`` (the dotted path of a function
``home_figures(user) -> list[Figure]``) and ``home_notices`` (the dotted path of a function
``home_notices(user) -> list[Notice]``: what needs doing, shown above everything). The menu
and the home page read them here, so neither imports the apps' models.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

from civicgrid.core.i18n import StrOrPromise


@dataclass(frozen=True)
class Figure:
    """One number on the home page: what it counts, its value, and where to see more."""

    label: str
    value: int | float | str
    url: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Notice:
    """A line at the top of the home page: something the user must do, and where."""

    text: str
    url: str = ""


def app_menus() -> list[tuple[StrOrPromise, str, Any]]:
    entries: list[tuple[StrOrPromise, str, Any]] = []
    for config in apps.get_app_configs():
        entries.extend(getattr(config, "menu", None) or [])
    return entries


def home_figures(user: Any) -> list[tuple[str, list[Figure]]]:
    """(app's name, its figures) for each app that has figures for this user."""
    sections: list[tuple[str, list[Figure]]] = []
    for config in apps.get_app_configs():
        path = getattr(config, "home_figures", None)
        if not path:
            continue
        figures_for: Callable[[Any], list[Figure]] = import_string(path)
        figures = figures_for(user)
        if figures:
            sections.append((str(config.verbose_name), figures))
    return sections


def home_notices(user: Any) -> list[Notice]:
    return [
        notice
        for config in apps.get_app_configs()
        if (path := getattr(config, "home_notices", None))
        for notice in import_string(path)(user)
    ]


def demo_seeders() -> list[tuple[str, Callable[..., None]]]:
    """(app label, ``seed_demo(*, seed, out)``) in INSTALLED_APPS order.

    An app declares ``demo = "civicgrid.<app>.demo.seed_demo"`` on its config; the seeder
    runs after the demo city and its requests exist, and must be deterministic per seed.
    """
    return [
        (config.label, import_string(path))
        for config in apps.get_app_configs()
        if (path := getattr(config, "demo", None))
    ]
