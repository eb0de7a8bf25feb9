"""Words of a request, and the pieces of a text a hashed word is named from again."""

from civicgrid.governance import engine, text
from civicgrid.governance.tests.test_hot_issues import LIFT, VENDING

TITLES = [t for t, _ in LIFT + VENDING] + ["WiFi信号差，5G基站建设", "小区门口（东门）垃圾清运不及时！"]


def test_every_word_is_a_candidate_word() -> None:
    for title in TITLES:
        assert set(text.words(title)) <= set(text.candidate_words(title)), title


def test_central_words_are_named_without_jieba() -> None:
    ids = [text.term_id(w) for w in ["电梯", "停运", "物业"]]
    titles = [t for t, _ in LIFT]
    assert engine.term_words(ids, titles, text.candidate_words) == ["电梯", "停运"]  # 物业: not in a title
    assert engine.term_words(ids, titles, text.candidate_words) == engine.term_words(ids, titles, text.words)
    assert text.candidate_words("的 12 ，了") == []  # single characters, digits, punctuation
