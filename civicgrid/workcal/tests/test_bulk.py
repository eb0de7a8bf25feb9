"""The line format of 批量录入 and ``civicgrid workcal_import``."""

from datetime import date

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.workcal.bulk import Action, parse_lines


def test_a_range_of_rest_days_skips_the_weekend_and_a_makeup_day_is_one_date() -> None:
    text = "# 2027 年春节\n2027-02-06 至 2027-02-14 春节 休\n\n2027-02-20 班 春节调休\n2027/1/1 放假 元旦"
    entries = parse_lines(text, year=2027)
    rest = [e.day for e in entries if e.action == Action.REST]
    assert rest[:5] == [date(2027, 2, d) for d in (8, 9, 10, 11, 12)]
    assert date(2027, 1, 1) in rest and date(2027, 2, 6) not in rest
    makeup = [e for e in entries if e.action == Action.WORK]
    assert [(e.day, e.name, e.line) for e in makeup] == [(date(2027, 2, 20), "春节调休", 4)]
    assert {e.name for e in entries if e.line == 2} == {"春节"}


def test_other_ways_of_writing_dates_and_clearing() -> None:
    entries = parse_lines("2027年2月8日到2027年2月9日 休 春节\n2027-02-10 清除", year=2027)
    assert [(e.day.day, e.action) for e in entries] == [
        (8, Action.REST),
        (9, Action.REST),
        (10, Action.CLEAR),
    ]


def test_every_bad_line_is_named_and_nothing_is_returned() -> None:
    text = "\n".join(
        [
            "2027-01-01 休 元旦",
            "2027-13-01 休",  # no such day
            "2027-01-04",  # no 休/班
            "2027-01-02 休 周六",  # a Saturday rests anyway
            "2027-01-04 班",  # a Monday works anyway
            "2026-12-31 休 元旦",  # not this page's year
            "2027-02-01 至 2027-01-01 休",  # backwards
            "2027-01-01 休 又是元旦",  # twice
            "元旦 2027-01-01 休",  # no leading date
            "2027-02-06 至 2027-02-07 休",  # a weekend only
            "2027-02-20 至 2027-02-21 班",  # a range of make-up days
        ]
    )
    with pytest.raises(ValidationError) as caught:
        parse_lines(text, year=2027)
    reasons = caught.value.errors["lines"]
    for row in range(2, 12):
        assert any(r.startswith(f"第{row}行：") for r in reasons), row
    assert not any(r.startswith("第1行") for r in reasons)
    assert "本来就休息" in " ".join(reasons) and "本来就上班" in " ".join(reasons)
    assert "已在第1行出现" in " ".join(reasons)
    assert "未做任何修改" in caught.value.message


def test_empty_text_and_a_long_name_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_lines("\n# 只有注释\n", year=2027)
    assert "lines" in caught.value.errors
    with pytest.raises(ValidationError) as caught:
        parse_lines("2027-01-01 休 " + "长" * 51, year=2027)
    assert "第1行：名称最多 50 个字" in caught.value.errors["lines"]


def test_full_width_digits_and_separators_are_read_and_the_name_is_kept_as_typed() -> None:
    """As WPS and Chinese input methods type them: ２０２７－０１－０１, ／, ．, ～, the ideographic space."""
    text = (
        "２０２７－０１－０１ 休 元旦\n"
        "２０２７／２／１５　至　２０２７．２．１９　休　春节（假期）\n"
        "２０２７－１０－０１～２０２７－１０－０７ 休 国庆\n"
        "２０２７－０２－２０ 班 春节调休"
    )
    entries = parse_lines(text, year=2027)
    first = [(e.day, e.action, e.name) for e in entries if e.line == 1]
    assert first == [(date(2027, 1, 1), Action.REST, "元旦")]
    spring = [e for e in entries if e.line == 2]
    assert [e.day for e in spring] == [date(2027, 2, d) for d in (15, 16, 17, 18, 19)]
    assert {e.name for e in spring} == {"春节（假期）"}
    assert {e.day for e in entries if e.line == 3} == {date(2027, 10, d) for d in (1, 4, 5, 6, 7)}
    assert [(e.day, e.action) for e in entries if e.line == 4] == [(date(2027, 2, 20), Action.WORK)]


def test_a_name_starting_with_a_full_width_dash_is_still_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_lines("2027-10-01 休 －2027-10-07 国庆", year=2027)
    assert "第1行" in caught.value.message
