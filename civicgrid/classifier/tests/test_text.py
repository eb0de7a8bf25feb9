"""Normalisation: full-width, traditional characters, boilerplate and whitespace; segmentation."""

import json

import jieba

from civicgrid.classifier import engine
from civicgrid.classifier.text import DATA, cut, normalise, words


def to_traditional_full_width(text: str) -> str:
    """A traditional, full-width rendering of simplified text (the inverse of our table)."""
    table: dict[str, str] = json.loads((DATA / "t2s.json").read_text(encoding="utf-8"))
    inverse: dict[str, str] = {}
    for traditional, simplified in sorted(table.items()):
        inverse.setdefault(simplified, traditional)
    out = []
    for ch in text:
        ch = inverse.get(ch, ch)
        out.append(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch)
    return "".join(out)


def test_full_width_becomes_half_width() -> None:
    assert normalise("ＡＢＣ１２３，電話") == "ABC123,电话"


def test_traditional_becomes_simplified() -> None:
    assert normalise("小區電梯壞了，請盡快維修") == "小区电梯坏了,请尽快维修"


def test_boilerplate_and_stray_whitespace_are_removed() -> None:
    text = "尊敬的领导：您好！  小区   电梯坏了三天。\n谢谢！此致敬礼 联系电话：13812345678"
    cleaned = normalise(text)
    for gone in ("您好", "尊敬", "谢谢", "此致", "敬礼", "13812345678"):
        assert gone not in cleaned
    assert "小区 电梯坏了三天。" in cleaned
    assert "  " not in cleaned


def test_segmentation_is_jiebas_without_hmm() -> None:
    text = "A1区蔡锷南路A2区华庭楼顶水箱长年不洗，自来水龙头有严重霉味 hello 2019年"
    assert cut(text) == [w for w in jieba.lcut(text, HMM=False) if w != " "]


def test_raw_and_space_separated_tokens_give_nearly_the_same_words() -> None:
    raw = "A市A2区华庭小区高层二次供水楼顶水箱长年不洗，现在自来水龙头的水有严重霉味，请政府重视"
    tokens = " ".join(w for w in jieba.lcut(raw) if w not in "，的有")  # as in train_tokens.csv
    from_raw, from_tokens = words(raw), words(tokens)
    assert "的" not in from_raw and "，" not in from_raw
    shared = set(from_raw) & set(from_tokens)
    assert len(shared) / len(set(from_raw) | set(from_tokens)) >= 0.9
    assert "".join(from_raw) == "".join(from_tokens)


def test_traditional_full_width_text_is_classified_alike(small_bundle: engine.Bundle) -> None:
    raw = "A市经济学院寒假过年期间组织学生去工厂打工，每天工作十二个小时，工资被克扣，学生们敢怒不敢言"
    variant = to_traditional_full_width(raw)
    assert variant != raw
    assert normalise(variant) == normalise(raw)
    original = small_bundle.top("label", small_bundle.features([words(raw)]), 3)
    converted = small_bundle.top("label", small_bundle.features([words(variant)]), 3)
    assert original == converted
