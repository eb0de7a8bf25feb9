from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "civicgrid.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from civicgrid.core import checks  # noqa: F401  (registers the deployment checks)
        from civicgrid.core.db import widen_statement_cache

        widen_statement_cache()
