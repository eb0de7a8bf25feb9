"""Pages of volunteers."""

from django.urls import URLPattern

app_name = "volunteers"

urlpatterns: list[URLPattern] = []
