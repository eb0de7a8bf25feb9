from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from civicgrid.api import api
from civicgrid.core.views import healthz
from civicgrid.requests.views import resident

admin.site.site_header = _("civicgrid 系统管理")
admin.site.site_title = "civicgrid"
admin.site.index_title = _("系统配置")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The short rating link sent by SMS: /r/<token>
    re_path(r"^r/(?P<token>[\w-]+)/?$", resident.rate_short, name="rate_short"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("territory/", include("civicgrid.territory.urls")),
    path("registry/", include("civicgrid.registry.urls")),
    path("exchange/", include("civicgrid.exchange.urls")),
    path("requests/", include("civicgrid.requests.urls")),
    path("open311/v2/", include("civicgrid.open311.urls")),
    path("classifier/", include("civicgrid.classifier.urls")),
    path("governance/", include("civicgrid.governance.urls")),
    path("points/", include("civicgrid.points.urls")),
    path("volunteers/", include("civicgrid.volunteers.urls")),
    path("party/", include("civicgrid.party.urls")),
    path("gridwork/", include("civicgrid.gridwork.urls")),
    path("property/", include("civicgrid.property.urls")),
    path("workcal/", include("civicgrid.workcal.urls")),
    path("notify/", include("civicgrid.notify.urls")),
    path("", include("civicgrid.web.urls")),
]

# Error pages in Chinese (JSON for the API and Open311) when DEBUG is off: civicgrid/core/views.py.
handler400 = "civicgrid.core.views.bad_request"
handler403 = "civicgrid.core.views.permission_denied"
handler404 = "civicgrid.core.views.page_not_found"
handler500 = "civicgrid.core.views.server_error"
