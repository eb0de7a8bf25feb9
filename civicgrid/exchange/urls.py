from django.urls import path

from civicgrid.exchange import views

app_name = "exchange"

urlpatterns = [
    path("imports/", views.import_list, name="imports"),
    path("imports/upload/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("templates/<slug:kind>.<slug:fmt>", views.template_download, name="template"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("exports/<int:pk>/cancel/", views.export_cancel, name="export_cancel"),
    path("exports/<int:pk>/again/", views.export_again, name="export_again"),
    path("exports/nodes/<int:pk>/", views.export_nodes, name="export_nodes"),
    path("exports/positions/<int:pk>/", views.export_positions, name="export_positions"),
]
