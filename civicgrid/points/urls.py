"""Pages of points, mounted at /points/."""

from django.urls import path

from civicgrid.points.views import resident, staff

app_name = "points"

urlpatterns = [
    path("", staff.index, name="index"),
    path("goods/", staff.goods_list, name="goods"),
    path("goods/<int:pk>/", staff.goods_detail, name="goods_detail"),
    path("redemptions/", staff.redemption_list, name="redemptions"),
    path("redemptions/<int:pk>/cancel/", staff.redemption_cancel, name="redemption_cancel"),
    path("hand-over/", staff.hand_over, name="hand_over"),
    path("accounts/", staff.account_list, name="accounts"),
    path("accounts/<int:pk>/", staff.account_detail, name="account"),
    path("accounts/<int:pk>/earn/", staff.account_earn, name="account_earn"),
    path("accounts/<int:pk>/adjust/", staff.account_adjust, name="account_adjust"),
    path("movements/export/", staff.movements_export, name="movements_export"),
    path("adjustments/", staff.adjustment_list, name="adjustments"),
    path("adjustments/<int:pk>/decide/", staff.adjustment_decide, name="adjustment_decide"),
    path("leaderboard/", staff.leaderboard, name="leaderboard"),
    path("rules/", staff.rules, name="rules"),
    # Resident H5 pages
    path("my/", resident.my_points, name="h5_my"),
    path("my/shop/", resident.shop, name="h5_shop"),
    path("my/redemptions/", resident.my_redemptions, name="h5_redemptions"),
    path("my/redemptions/<int:pk>/", resident.my_redemption, name="h5_redemption"),
    path("my/redemptions/<int:pk>/cancel/", resident.my_redemption_cancel, name="h5_redemption_cancel"),
    path("my/board/", resident.board, name="h5_board"),
]
