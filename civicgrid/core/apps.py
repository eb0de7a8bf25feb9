from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civicgrid.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from civicgrid.core.db import widen_statement_cache

        widen_statement_cache()
