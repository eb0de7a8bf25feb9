"""The hot-issue engine on an external file: ``hot_messages.csv`` of the shared data.

The file's messages name their place only in the text. Each of the top five hot issues
must be one problem in one place: most of its messages name the same place (a compound,
road, village or organisation, matched by containment), none names another district, and
most share the same problem word (a word of the subject that is not part of a place name).
"""

from collections import Counter
from pathlib import Path

import pytest

from civicgrid.governance import text
from civicgrid.governance.messages import Message, MessageIssue, message_hot_issues, read_messages

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "messages" / "hot_messages.csv"
TOP = 5
PLACE_SHARE = 0.7
PROBLEM_SHARE = 0.7
PROBLEM_CHARS = 60  # the subject and the start of the message say what the problem is


def named_places(m: Message) -> list[str]:
    return text.place_names(m.subject) + text.place_names(m.detail[:200])


def same(a: str, b: str) -> bool:
    return a == b or a in b or b in a


def dominant_place(issue: MessageIssue) -> tuple[str, float]:
    """The name most messages share, and the share of the messages naming a place that name it."""
    named = [named_places(m) for m in issue.messages]
    named = [n for n in named if n]
    counts = Counter(p for names in named for p in set(names))
    best, best_share = "", 0.0
    for candidate, _ in counts.most_common(10):
        share = sum(1 for names in named if any(same(candidate, p) for p in names)) / len(named)
        if share > best_share:
            best, best_share = candidate, share
    return best, best_share


def problem_words(m: Message, place: str) -> set[str]:
    return set(text.words(m.subject + " " + m.detail[:PROBLEM_CHARS])) - set(text.words(place))


def problem_share(issue: MessageIssue, place: str) -> float:
    """The share of messages that share a problem word with the most central message."""
    central = problem_words(issue.messages[0], place)
    return sum(1 for m in issue.messages if problem_words(m, place) & central) / len(issue.messages)


@pytest.fixture(scope="module")
def issues() -> list[MessageIssue]:
    if not DATA.exists():
        pytest.skip(f"shared data not found: {DATA}")
    return message_hot_issues(read_messages(DATA), top=TOP)


def test_top_hot_issues_are_each_one_problem_in_one_place(issues: list[MessageIssue]) -> None:
    assert len(issues) == TOP
    for issue in issues:
        place, place_share = dominant_place(issue)
        share = problem_share(issue, place)
        label = f"#{issue.rank} {issue.label}（{place} {place_share:.0%}，同一问题 {share:.0%}）"
        assert issue.count >= 3, label
        assert place_share >= PLACE_SHARE, label
        assert share >= PROBLEM_SHARE, label
        districts = {text.district_of(m.subject + m.detail[:200]) for m in issue.messages} - {""}
        assert len(districts) <= 1, label


def test_known_hot_issues_of_the_file_are_found(issues: list[MessageIssue]) -> None:
    """The problems the contest's organisers and entrants reported at the top of this file."""
    labels = [(dominant_place(i)[0], i.keywords) for i in issues]
    assert any("伊景园" in p and "车位" in k for p, k in labels), labels
    assert any("丽发新城" in p and any("搅拌" in w for w in k) for p, k in labels), labels


def test_heat_orders_the_issues(issues: list[MessageIssue]) -> None:
    heats = [i.heat for i in issues]
    assert heats == sorted(heats, reverse=True)
    top = issues[0]
    assert top.requesters <= top.count
    assert top.first <= top.last


def test_a_mixed_cluster_would_fail_the_check() -> None:
    """The check itself can fail: two problems of one place are not one hot issue."""
    from datetime import datetime

    def m(subject: str) -> Message:
        return Message("1", "u", subject, "", datetime(2019, 10, 1), 0, 0)

    mixed = MessageIssue(
        1,
        1.0,
        4,
        4,
        0,
        "",
        [],
        [],
        datetime(2019, 10, 1),
        datetime(2019, 10, 1),
        [
            m("A市万科魅力之城小区临街门面油烟扰民"),
            m("A市万科魅力之城商铺油烟直排"),
            m("A市万科魅力之城楼板开裂"),
            m("A市万科魅力之城墙面开裂严重"),
            m("A市万科魅力之城车位开盘销售"),
        ],
    )
    place, share = dominant_place(mixed)
    assert "魅力之城" in place and share == 1.0
    assert problem_share(mixed, place) < PROBLEM_SHARE
