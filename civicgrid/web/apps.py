from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "civicgrid.web"
    label = "web"
    verbose_name = "页面"

    def ready(self) -> None:
        from civicgrid.web import login

        login.connect()  # the admin's sign-in form gets the lock of the sign-in page
