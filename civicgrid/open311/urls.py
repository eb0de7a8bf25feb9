"""Open311 GeoReport v2 (filled in by the API work)."""

from django.urls import URLPattern

app_name = "open311"

urlpatterns: list[URLPattern] = []
