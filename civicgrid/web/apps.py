from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "civicgrid.web"
    label = "web"
    verbose_name = "页面"

    def ready(self) -> None:
        from civicgrid.web import login

        login.connect()  # sign-ins and failures into the audit log; repeated failures lock
