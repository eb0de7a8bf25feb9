from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "civicgrid.web"
    label = "web"
    verbose_name = _("页面")

    def ready(self) -> None:
        from civicgrid.web import idle, login

        login.connect()  # the admin's sign-in form gets the lock of the sign-in page
        idle.connect()  # a new session starts its idle clock at sign-in
