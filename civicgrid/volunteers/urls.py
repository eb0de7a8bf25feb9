"""Pages of volunteers: staff pages, the residents' H5 pages and the public board."""

from django.urls import path

from civicgrid.volunteers.views import board, certificate, common, h5, staff, staff_orders

app_name = "volunteers"

urlpatterns = [
    # staff
    path("", staff.index, name="index"),
    path("people/", staff.people, name="people"),
    path("people/new/", staff.register, name="register"),
    path("people/<int:pk>/", staff.person, name="person"),
    path("people/<int:pk>/certificate/", certificate.staff_certificate, name="certificate"),
    path("people/<int:pk>/decide/", staff.decide, name="decide"),
    path("people/<int:pk>/consent/", staff.consent, name="consent"),
    path("people/<int:pk>/consent/reveal/", staff.consent_reveal, name="consent_reveal"),
    path("teams/", staff.teams, name="teams"),
    path("teams/colours/", staff.team_colours, name="team_colours"),
    path("teams/<int:pk>/", staff.team, name="team"),
    path("activities/", staff.activities, name="activities"),
    path("activities/new/", staff.activity_new, name="activity_new"),
    path("activities/<int:pk>/", staff.activity, name="activity"),
    path("activities/<int:pk>/edit/", staff.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/qr/", staff.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/act/", staff.activity_act, name="activity_act"),
    path("orders/", staff_orders.orders, name="orders"),
    path("orders/new/", staff_orders.order_new, name="order_new"),
    path("orders/<int:pk>/", staff_orders.order, name="order"),
    path("orders/<int:pk>/act/", staff_orders.order_act, name="order_act"),
    path("report/", staff.report, name="report"),
    path("photos/<int:pk>/", common.photo, name="photo"),
    # residents and volunteers (H5)
    path("h5/", h5.home, name="h5_home"),
    path("h5/register/", h5.register, name="h5_register"),
    path("h5/card/", h5.card, name="h5_card"),
    path("h5/certificate/", certificate.h5_certificate, name="h5_certificate"),
    path("h5/activities/", h5.activities, name="h5_activities"),
    path("h5/activities/<int:pk>/", h5.activity, name="h5_activity"),
    path("h5/scan/<int:pk>/<str:code>/", h5.scan, name="h5_scan"),
    path("h5/orders/", h5.orders, name="h5_orders"),
    path("h5/orders/new/", h5.order_new, name="h5_order_new"),
    path("h5/orders/<int:pk>/", h5.order, name="h5_order"),
    path("h5/my-orders/", h5.my_orders, name="h5_my_orders"),
    path("h5/points/", h5.points, name="h5_points"),
    # public
    path("board/<int:community_id>/", board.board, name="board"),
]
