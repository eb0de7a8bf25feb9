"""Open311 GeoReport v2 (JSON): services, requests, and FixMyStreet-style update history."""

from django.urls import path, re_path

from civicgrid.open311 import views

app_name = "open311"

urlpatterns = [
    path("discovery.json", views.discovery, name="discovery"),
    path("services.json", views.service_list, name="services"),
    path("services/<str:code>.json", views.service_definition, name="service"),
    path("requests.json", views.requests_collection, name="requests"),
    path("requests/<str:number>.json", views.request_detail, name="request"),
    path("servicerequestupdates.json", views.request_updates, name="updates"),
    re_path(r"^(?P<rest>.+)\.xml$", views.xml_not_supported, name="xml"),
]
