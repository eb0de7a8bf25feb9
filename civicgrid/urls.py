from django.contrib import admin
from django.urls import include, path

from civicgrid.api import api
from civicgrid.core.views import healthz

admin.site.site_header = "civicgrid 系统管理"
admin.site.site_title = "civicgrid"
admin.site.index_title = "系统配置"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("territory/", include("civicgrid.territory.urls")),
    path("registry/", include("civicgrid.registry.urls")),
    path("exchange/", include("civicgrid.exchange.urls")),
    path("requests/", include("civicgrid.requests.urls")),
    path("open311/v2/", include("civicgrid.open311.urls")),
    path("", include("civicgrid.web.urls")),
]
