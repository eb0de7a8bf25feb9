from django.urls import path

from civicgrid.registry import views

app_name = "registry"

urlpatterns = [
    path("residents/", views.resident_list, name="residents"),
    path("residents/new/", views.resident_new, name="resident_new"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/move-out/", views.resident_move_out, name="resident_move_out"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/account/", views.resident_account, name="resident_account"),
    path("dwellings/", views.dwelling_list, name="dwellings"),
    path("dwellings/<int:pk>/edit/", views.dwelling_edit, name="dwelling_edit"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/reveal/", views.organisation_reveal, name="organisation_reveal"),
]
