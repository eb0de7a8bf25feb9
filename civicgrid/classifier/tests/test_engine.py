"""The model: a small slice of the contest's messages is learned and held-out ones are
classified well, with calibrated confidences and an out-of-fold evaluation."""

from civicgrid.classifier import batch, engine


def test_small_model_classifies_held_out_raw_messages(
    small_bundle: engine.Bundle, held_out_rows: list[dict[str, str]]
) -> None:
    predicted = batch.predict(small_bundle, [r["text"] for r in held_out_rows], processes=1)
    right = sum(label == r["label"] for (label, _), r in zip(predicted, held_out_rows, strict=True))
    assert right / len(held_out_rows) >= 0.6  # 25 examples per class; the full data reach 0.93
    assert all(0.0 < confidence <= 1.0 for _, confidence in predicted)


def test_evaluation_is_kept_with_the_model(small_bundle: engine.Bundle) -> None:
    evaluation = small_bundle.evaluations["label"]
    assert len(evaluation["labels"]) == 7
    assert 0.5 < evaluation["macro_f1"] <= 1.0
    assert len(evaluation["confusion"]) == 7 and all(len(row) == 7 for row in evaluation["confusion"])
    assert sum(evaluation["support"]) == small_bundle.meta["rows"]
    assert small_bundle.heads["label"].temperature > 0


def test_top_is_ordered_and_sums_to_at_most_one(small_bundle: engine.Bundle) -> None:
    x = small_bundle.features([["小区", "电梯", "物业"]])
    top = small_bundle.top("label", x, 3)[0]
    confidences = [c for _, c in top]
    assert len(top) == 3 and confidences == sorted(confidences, reverse=True)
    assert sum(confidences) <= 1.0 + 1e-6


def test_parallel_and_serial_segmentation_agree(held_out_rows: list[dict[str, str]]) -> None:
    texts = [r["text"] for r in held_out_rows]
    assert batch.words_many(texts, processes=2) == batch.words_many(texts, processes=1)


def test_many_class_heads_are_pruned() -> None:
    docs = [[f"词{i}", f"类{i % 30}", "共同"] for i in range(300)]
    labels = [f"c{i % 30}" for i in range(300)]
    bundle = engine.train_bundle(docs, {"label": labels}, [str(i) for i in range(300)], evaluate=False)
    assert bundle.heads["label"].coef.shape[0] == 30
    assert bundle.top("label", bundle.features([["类7", "共同"]]), 1)[0][0][0] == "c7"


def test_char_hasher_counts_every_ngram_of_each_string_and_none_across_strings() -> None:
    texts = ["小区电梯坏了", "", "AbC电梯", "x", "电梯电梯"]
    matrix = engine.CharNgramHasher(2**20, max_n=3).transform(texts)
    assert matrix.shape == (5, 2**20)
    # a string of length n has n + (n − 1) + (n − 2) n-grams of lengths 1–3
    assert [int(v) for v in matrix.sum(axis=1).ravel().tolist()[0]] == [15, 0, 12, 1, 9]
    # "电梯电梯": 电, 梯, 电梯 twice each; 梯电, 电梯电, 梯电梯 once
    assert sorted(matrix[4].data.tolist()) == [1, 1, 1, 2, 2, 2]
    # lower case, as sklearn's analyser: "AbC" and "abc" hash alike
    same = engine.CharNgramHasher(2**20).transform(["AbC", "abc"])
    assert (same[0] != same[1]).nnz == 0
    # no n-gram spans two strings
    two = engine.CharNgramHasher(2**20).transform(["梯", "A"])
    both = engine.CharNgramHasher(2**20).transform(["梯A"])
    assert both.sum() == 3 and two.sum() == 2
