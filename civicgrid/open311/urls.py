"""Open311 GeoReport v2 (JSON or XML: ``fmt``): services, requests, and FixMyStreet-style
update history."""

from django.urls import re_path

from civicgrid.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(rf"^discovery{FMT}", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}", views.service_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]+){FMT}", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}", views.requests_collection, name="requests"),
    re_path(rf"^requests/(?P<number>[^/]+){FMT}", views.request_detail, name="request"),
    re_path(rf"^servicerequestupdates{FMT}", views.request_updates, name="updates"),
]
