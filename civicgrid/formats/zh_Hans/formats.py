"""Django's Simplified Chinese formats, with ISO dates first among the input formats.

A form widget renders its value in the first input format. Django's first is
``2016/09/05``, which an ``<input type="date">`` cannot show (it needs ``2016-09-05``):
the browser left such fields empty, and the user had to enter the default date again.
``2016/09/05`` is still accepted as input.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DATES
from django.conf.locale.zh_Hans.formats import DATETIME_INPUT_FORMATS as _DATETIMES


def _iso_first(formats: list[str]) -> list[str]:
    iso = [f for f in formats if f.startswith("%Y-%m-%d")]
    return iso + [f for f in formats if f not in iso]


DATE_INPUT_FORMATS = _iso_first(_DATES)
DATETIME_INPUT_FORMATS = _iso_first(_DATETIMES)
