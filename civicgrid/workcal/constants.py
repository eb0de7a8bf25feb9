from django.db import models

# English holiday names from chinese-calendar, shown in Chinese.
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
    HOURS = "hours", "小时（自然时）"
    WORKING_HOURS = "working_hours", "工作小时"
    WORKING_DAYS = "working_days", "工作日"
    DAYS = "days", "自然日"


class Verb:
    DAY_SET = "workcal.day_set"
    DAY_CLEARED = "workcal.day_cleared"
    YEAR_SEEDED = "workcal.year_seeded"
    YEAR_CONFIRMED = "workcal.year_confirmed"
