"""First-level classification of the contest's real messages (issue 4): quality and speed.

Reads ``train_raw.csv`` (raw text) and ``train_tokens.csv`` (jieba tokens, stop words
removed) from ``shared/data/messages`` and reports:

* macro-F1 by 5-fold stratified cross-validation with fixed seeds, rows grouped so that
  near-duplicates never straddle folds: the same message in both files (same ``a2_row``)
  and texts whose word TF-IDF cosine is ≥ 0.8 (one person posting twice) share a group;
  figures for all rows, for the raw rows (what the product and the held-out set see) and
  for the token rows;
* training time of the model the CLI builds (both files, with its own 3-fold evaluation);
* batch prediction speed on raw messages (normalise, segment, features, classify), with
  the worker processes the CLI uses, and in one process;
* suggestion latency: one message at a time, p50/p95 over the raw messages.

No database is needed. Run: ``.venv/bin/python bench/classifier_eval.py [--folds 5]``
"""

import argparse
import csv
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
os.environ.setdefault("CIVICGRID_TESTING", "1")

import django

django.setup()

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402

from civicgrid.classifier import batch, engine  # noqa: E402
from civicgrid.classifier.text import words  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "messages"
SEED = 42
NEAR_DUPLICATE = 0.8


def load(data: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """(texts, labels, a2_row keys, source) of both files."""
    texts, labels, keys, source = [], [], [], []
    with (data / "train_raw.csv").open(encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            texts.append(row["text"])
            labels.append(row["level1"])
            keys.append(row["a2_row"] or f"raw-{n}")
            source.append("raw")
    with (data / "train_tokens.csv").open(encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            texts.append(row["tokens"])
            labels.append(row["level1"])
            keys.append(row["a2_row"] or f"tok-{n}")
            source.append("tokens")
    return texts, labels, keys, source


def groups_of(docs: list[list[str]], keys: list[str]) -> np.ndarray:
    """Union of same-``a2_row`` rows and near-duplicate texts (cosine ≥ NEAR_DUPLICATE)."""
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        parent[find(i)] = find(first.setdefault(key, i))
    x = TfidfVectorizer(analyzer=engine._identity, sublinear_tf=True).fit_transform(docs)
    sim = (x @ x.T).tocoo()
    for i, j, s in zip(sim.row, sim.col, sim.data, strict=True):
        if i < j and s >= NEAR_DUPLICATE:
            parent[find(i)] = find(j)
    return np.array([find(i) for i in range(len(docs))])


def cross_validate(docs: list[list[str]], y: np.ndarray, groups: np.ndarray, folds: int) -> np.ndarray:
    predicted = np.empty(len(y), dtype=object)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for n, (train, test) in enumerate(splitter.split(np.zeros(len(y)), y, groups), start=1):
        started = time.perf_counter()
        bundle = engine.train_bundle(
            [docs[i] for i in train], {"label": y[train].tolist()}, groups[train].tolist(), evaluate=False
        )
        x = bundle.features([docs[i] for i in test])
        predicted[test] = [top[0][0] for top in bundle.top("label", x, 1)]
        fold_f1 = f1_score(y[test], predicted[test].astype(str), average="macro")
        print(f"  fold {n}: {len(test)} rows, macro-F1 {fold_f1:.4f} ({time.perf_counter() - started:.0f} s)")
    return predicted.astype(str)


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its finished worker processes)."""
    before, children = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    work()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return wall, time.process_time() - before + child_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--latency-samples", type=int, default=500)
    args = parser.parse_args()

    texts, labels, keys, source = load(args.data)
    src = np.array(source)
    y = np.array(labels)
    started = time.perf_counter()
    docs = batch.words_many(texts)
    print(
        f"{len(texts)} rows ({(src == 'raw').sum()} raw, {(src == 'tokens').sum()} tokens), "
        f"normalised and segmented in {time.perf_counter() - started:.1f} s"
    )
    groups = groups_of(docs, keys)
    print(f"{len(set(groups.tolist()))} groups (same a2_row or cosine ≥ {NEAR_DUPLICATE})")

    print(f"{args.folds}-fold stratified group cross-validation (seed {SEED}):")
    predicted = cross_validate(docs, y, groups, args.folds)
    figures = {
        "all rows": f1_score(y, predicted, average="macro"),
        "raw rows": f1_score(y[src == "raw"], predicted[src == "raw"], average="macro"),
        "token rows": f1_score(y[src == "tokens"], predicted[src == "tokens"], average="macro"),
    }
    for name, value in figures.items():
        print(f"macro-F1, {name}: {value:.4f}")
    labels_sorted = sorted(set(labels))
    per_class = f1_score(y, predicted, average=None, labels=labels_sorted)
    print("F1 per class: " + ", ".join(f"{c} {v:.3f}" for c, v in zip(labels_sorted, per_class, strict=True)))

    trained: list[engine.Bundle] = []
    train_seconds, train_cpu = timed(
        lambda: trained.append(
            engine.train_bundle(batch.words_many(texts), {"label": labels}, groups.tolist())
        )
    )
    bundle = trained[0]
    evaluation = bundle.evaluations["label"]
    print(
        f"training on all {len(texts)} rows (as the CLI, incl. segmentation and its 3-fold "
        f"evaluation): {train_seconds:.1f} s wall, {train_cpu:.1f} s CPU; "
        f"its own CV macro-F1 {evaluation['macro_f1']:.4f}, "
        f"temperature {bundle.heads['label'].temperature:.2f}"
    )

    raw_texts = [t for t, s in zip(texts, source, strict=True) if s == "raw"]
    many = (raw_texts * (6000 // len(raw_texts) + 1))[:6000]
    batch.predict(bundle, many[:200], processes=1)  # warm the segmenter and caches
    runs: list[tuple[int | None, str]] = [
        (None, f"{min(os.cpu_count() or 1, 4)} processes"),
        (1, "1 process"),
    ]
    for processes, name in runs:

        def predict_all(p: int | None = processes) -> None:
            batch.predict(bundle, many, processes=p)

        wall, cpu = timed(predict_all)
        print(
            f"batch prediction of {len(many)} raw messages, {name}: {len(many) / wall:.0f} messages/s "
            f"(wall clock); {len(many) / cpu:.0f} messages per CPU-second"
        )
    print(
        f"  (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: wall-clock rates are "
        "shared with everything else running; on idle cores the rate is cores × the per-CPU-second figure)"
    )

    latencies = []
    for text in raw_texts[: args.latency_samples]:
        started = time.perf_counter()
        bundle.top("label", bundle.features([words(text)]), 3)
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(latencies, [50, 95])
    print(f"suggestion latency (one message, top 3): p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
