"""Pages of the working calendar (system administrator)."""

from django.urls import path

from civicgrid.workcal import views

app_name = "workcal"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.year_page, name="year"),
    path("<int:year>/day/", views.day_form, name="day_form"),
    path("<int:year>/day/set/", views.day_set, name="day_set"),
    path("<int:year>/day/clear/", views.day_clear, name="day_clear"),
    path("<int:year>/confirm/", views.year_confirm, name="confirm"),
    path("<int:year>/seed/", views.year_seed, name="seed"),
    path("<int:year>/import/", views.days_import, name="import"),
    path("<int:year>/export/", views.days_export, name="export"),
]
