from django.db import models
from django.utils.translation import gettext_lazy as _

# English holiday names from chinese-calendar, shown in Chinese.
# i18n: data (the names given to the calendar rows seeded into the database, edited there)
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("小时（自然时）")
    WORKING_HOURS = "working_hours", _("工作小时")
    WORKING_DAYS = "working_days", _("工作日")
    DAYS = "days", _("自然日")


class Verb:
    DAY_SET = "workcal.day_set"
    DAY_CLEARED = "workcal.day_cleared"
    YEAR_SEEDED = "workcal.year_seeded"
    YEAR_CONFIRMED = "workcal.year_confirmed"
