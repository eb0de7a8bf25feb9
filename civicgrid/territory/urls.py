from django.urls import path

from civicgrid.territory import views

app_name = "territory"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.node_detail, name="node"),
    path("<int:pk>/children/", views.node_children_partial, name="children"),
    path("<int:pk>/geojson/", views.node_geojson, name="geojson"),
    path("matters/", views.grid_matter_list, name="matters"),
]
