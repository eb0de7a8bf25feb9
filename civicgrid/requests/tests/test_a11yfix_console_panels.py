"""The console's side panels (a11y round): a knowledge-base 选用 and a 跟进此件 say in their
accessible name what they take (the answer's title, the request's number)."""

from types import SimpleNamespace

from django.template.loader import render_to_string


def test_use_answer_names_the_answer() -> None:
    answer = SimpleNamespace(
        pk=7, title="医保报销比例", content="按政策执行", office="", issued_on=None, use_count=0
    )
    html = render_to_string("requests/_answers.html", {"answers": [SimpleNamespace(answer=answer)]})
    assert 'aria-label="选用：医保报销比例"' in html and ">选用</button>" in html


def test_follow_names_the_request() -> None:
    request = SimpleNamespace(
        pk=12,
        number="20261124000012",
        title="电梯停运",
        content="3号楼",
        status="dispatched",
        get_status_display="已派单",
        received_at=None,
        lead_unit="区住建局",
        direct_answer="",
    )
    row = SimpleNamespace(request=request, metres=30, score=0.8)
    html = render_to_string("requests/_similar.html", {"rows": [row], "metres": 200, "days": 30})
    assert 'aria-label="跟进此件：20261124000012 电梯停运"' in html and ">跟进此件</button>" in html
