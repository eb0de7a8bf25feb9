"""The words the grid worker's phone script (``static/gridwork/gridwork.js``) shows.

The script is a static file, so it cannot call gettext. Its texts are here, keyed by a
name, and every phone page carries them (``{% gridwork_js_text %}`` in ``m/base.html``,
a ``json_script`` block): the pages are kept on the phone by the service worker, so the
texts come with the page and need no request of their own. In the script,
``i18n("queue_waiting", {n: 3})`` looks a text up and fills its ``%(name)s`` placeholders;
an unknown name shows as itself.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

JS_TEXT: dict[str, Promise] = {
    # sending and the count of entries on the phone
    "server_status": _("服务器返回 %(status)s"),
    "patrol_not_started": _("所属巡查未能开始：%(reason)s"),
    "queue_waiting": _("待发送 %(n)s 条"),
    "queue_failed": _("未通过 %(n)s 条"),
    "signed_out": _("登录已过期，请重新登录后自动发送"),
    "offline": _("当前无网络"),
    # position
    "no_geolocation": _("您的手机浏览器不支持定位"),
    "no_fix": _("未能获取位置（可能未授权定位）"),
    "locating": _("正在获取位置…"),
    "located": _("已定位（精度约%(metres)s米）"),
    "type_the_place": _("%(reason)s，请填写地点"),
    "my_position": _("我的位置"),
    # patrol
    "no_track": _("未获得定位授权，本次巡查不记录轨迹"),
    "track_points": _("巡查轨迹 %(n)s 个点"),
    "patrolling": _("巡查中：%(time)s 开始，已 %(minutes)s 分钟"),
    "patrol_start": _("开始巡查"),
    "patrol_started": _("巡查已开始"),
    "patrol_started_offline": _("巡查已开始（离线，已保存在手机）"),
    "patrol_already": _("巡查已在进行中"),
    "patrol_end": _("结束巡查"),
    "patrol_ended": _("巡查已结束，已记入民情日志"),
    "patrol_ended_offline": _("巡查已结束（离线，已保存在手机）"),
    # entry forms
    "error_separator": _("，"),
    "photo_required": _("请上传照片"),
    "choose_one": _("请至少选择一项"),
    "choose_field": _("请选择%(label)s"),
    "fill_field": _("请填写%(label)s"),
    "fix_below": _("请修改以下问题："),
    "saving": _("正在保存…"),
    "entry": _("记录"),
    "submitted": _("已提交"),
    "kept_on_phone": _("已保存在手机，有网络时自动发送"),
    "waiting": _("待发送"),
    "save_failed": _("保存失败：%(reason)s"),
    "too_many_photos": _("照片最多%(max)s张，请重新选择"),
    "photos_kept": _("照片最多%(max)s张，已保留前%(max)s张"),
    "needs_network": _("当前没有网络，此项需要联网提交；已填写的内容仍保留在本页"),
    "id_check_digit": _("身份证号校验位错误"),
    "id_format": _("身份证号应为18位，前17位为数字，最后一位为数字或X"),
    "photos_chosen": _("已选择 %(n)s 张照片"),
    "no_photo": _("未选择照片"),
    "signout_waiting": _("手机上还有 %(n)s 条待发送的记录，退出后须本人重新登录才会发送。确定退出？"),
    "similar_title": _("附近已有相似的诉求，可跟进已有诉求，不必重复上报："),
    "similar_follow": _("跟进这件"),
    "similar_new": _("仍然上报新诉求"),
    "metres_away": _("相距约%(m)s米"),
    "followed": _("已记录，并跟进诉求 %(number)s"),
    "reported": _("已记录，并上报诉求 %(number)s"),
    # the queue page
    "queue_empty": _("手机上没有待发送的记录"),
    "photo_count": _("%(n)s 张照片"),
    "refused": _("未通过：%(reason)s"),
    "to_send": _("等待发送"),
    "delete": _("删除此条"),
    "delete_confirm": _("删除后无法恢复，确定删除？"),
    "send_again": _("重新发送"),
    "edit_entry": _("修改后重新发送"),
    # map
    "no_tiles": _("未配置底图，仅显示网格范围和轨迹"),
    "zoom_in": _("放大"),
    "zoom_out": _("缩小"),
}


def js_text() -> dict[str, str]:
    """The texts in the active language, for the page."""
    return {key: str(text) for key, text in JS_TEXT.items()}
