"""The learning part: features, linear classifiers with calibrated confidences, evaluation.

Nothing here touches the database. A ``Bundle`` (what a model file holds) is one
``Featurizer`` and one or more heads (``LinearModel``), each predicting one thing from the
same features: the CSV label, or the catalogue category and the handling unit.

Features of a message (its content words from ``text.words``):
* word unigrams, TF-IDF (sublinear tf);
* character 1–3-grams of the words run together, hashed (``CharNgramHasher``), TF-IDF;
* character 1–2-grams of the first ``TITLE_WORDS`` words (the subject comes first).
Classifier: one-vs-rest linear SVM with balanced class weights. Confidence: softmax of the
decision values times a temperature fitted on cross-validated decisions (minimum log loss).
"""

import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold
from sklearn.svm import LinearSVC

TITLE_WORDS = 12
SVM_C = 0.5
CV_FOLDS = 3
SEED = 20200
# Heads with many classes keep only their strongest weights per class (memory, speed).
PRUNE_ABOVE_CLASSES = 20
PRUNE_KEEP = 3000

Docs = Sequence[list[str]]


def _identity(doc: list[str]) -> list[str]:
    return doc


_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_STEP = np.uint64(0x100000001B3)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit moves every output bit."""
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX2
    return h ^ (h >> np.uint64(31))


class CharNgramHasher:
    """Counts of the character 1…``max_n``-grams of each string, hashed into ``n_features``
    buckets (a power of two), as a CSR matrix.

    What sklearn's ``HashingVectorizer(analyzer="char", lowercase=True, norm=None,
    alternate_sign=False)`` computes, with another hash: the n-grams of all strings are
    formed and hashed at once with numpy (a rolling polynomial over the code points, then
    splitmix64), instead of one Python string per n-gram — about ten times faster.
    """

    def __init__(self, n_features: int = 2**20, max_n: int = 3) -> None:
        if n_features & (n_features - 1):
            raise ValueError("n_features must be a power of two")
        self.n_features = n_features
        self.max_n = max_n

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        lowered = [t.lower() for t in texts]
        lengths = np.fromiter((len(t) for t in lowered), dtype=np.int64, count=len(lowered))
        codes = np.frombuffer("".join(lowered).encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        doc = np.repeat(np.arange(len(lowered), dtype=np.int64), lengths)
        mask = np.uint64(self.n_features - 1)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        rolling = codes
        for n in range(1, self.max_n + 1):
            if n > 1:
                rolling = rolling[:-1] * _STEP + codes[n - 1 :]
            inside = doc[: len(rolling)] == doc[n - 1 :]  # the n-gram lies within one string
            rows.append(doc[: len(rolling)][inside])
            cols.append((_mix(rolling[inside] + np.uint64(n << 40)) & mask).astype(np.int64))
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        matrix = sparse.csr_matrix(
            (np.ones(len(row), dtype=np.float32), (row, col)),
            shape=(len(lowered), self.n_features),
            dtype=np.float32,
        )
        matrix.sum_duplicates()
        return matrix


@dataclass(frozen=True)
class FeatureSpec:
    char_buckets: int = 2**20
    max_words: int | None = None
    max_title: int | None = None

    @classmethod
    def compact(cls) -> "FeatureSpec":
        """For heads with hundreds of classes (catalogue leaves, units)."""
        return cls(char_buckets=2**15, max_words=20_000, max_title=8_000)


class Featurizer:
    def __init__(self, spec: FeatureSpec | None = None) -> None:
        self.spec = spec or FeatureSpec()

    def fit(self, docs: Docs) -> "Featurizer":
        min_df = 2 if len(docs) >= 200 else 1
        self.words = TfidfVectorizer(
            analyzer=_identity,
            min_df=min_df,
            sublinear_tf=True,
            max_features=self.spec.max_words,
            dtype=np.float32,
        )
        # Models saved before CharNgramHasher hold a HashingVectorizer here; both transform alike.
        self.chars: Any = CharNgramHasher(self.spec.char_buckets, max_n=3)
        self.char_idf = TfidfTransformer(sublinear_tf=True)
        self.title = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 2),
            min_df=min_df,
            sublinear_tf=True,
            max_features=self.spec.max_title,
            dtype=np.float32,
        )
        self.words.fit(docs)
        self.char_idf.fit(self.chars.transform(["".join(d) for d in docs]))
        self.title.fit(["".join(d[:TITLE_WORDS]) for d in docs])
        return self

    def transform(self, docs: Docs) -> sparse.csr_matrix:
        blocks = [
            self.words.transform(docs),
            self.char_idf.transform(self.chars.transform(["".join(d) for d in docs])),
            self.title.transform(["".join(d[:TITLE_WORDS]) for d in docs]),
        ]
        return sparse.hstack(blocks, format="csr", dtype=np.float32)


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


@dataclass
class LinearModel:
    """Decision = X·Wᵀ + b per class; confidence = softmax(temperature × decision)."""

    labels: list[str]
    coef: Any  # np.ndarray (dense) or scipy CSR (pruned), one row per label
    intercept: np.ndarray
    temperature: float = 1.0

    def decision(self, x: sparse.csr_matrix) -> np.ndarray:
        scores = x @ self.coef.T
        if sparse.issparse(scores):
            scores = scores.toarray()
        return np.asarray(scores) + self.intercept

    def proba(self, x: sparse.csr_matrix) -> np.ndarray:
        return softmax(self.temperature * self.decision(x))


def _svm(x: sparse.csr_matrix, y: np.ndarray, labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Fit one SVM; return (coef, intercept) with one row per label (absent labels: never chosen)."""
    svm = LinearSVC(C=SVM_C, class_weight="balanced", random_state=SEED)
    svm.fit(x, y)
    coef = np.zeros((len(labels), x.shape[1]), dtype=np.float32)
    intercept = np.full(len(labels), -10.0, dtype=np.float32)
    classes = [str(c) for c in svm.classes_]
    index = {label: i for i, label in enumerate(labels)}
    if len(classes) == 2:
        rows = [(-svm.coef_[0], -svm.intercept_[0]), (svm.coef_[0], svm.intercept_[0])]
    else:
        rows = list(zip(svm.coef_, svm.intercept_, strict=True))
    for cls, (w, b) in zip(classes, rows, strict=True):
        coef[index[cls]] = w
        intercept[index[cls]] = b
    return coef, intercept


def _prune(coef: np.ndarray, keep: int) -> Any:
    """Keep the ``keep`` largest weights of each row; the rest become zero (a CSR matrix)."""
    if coef.shape[1] <= keep:
        return sparse.csr_matrix(coef)
    cut = np.argpartition(np.abs(coef), -keep, axis=1)[:, -keep:]
    rows = np.repeat(np.arange(coef.shape[0]), keep)
    values = np.take_along_axis(coef, cut, axis=1).ravel()
    return sparse.csr_matrix((values, (rows, cut.ravel())), shape=coef.shape, dtype=np.float32)


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the log loss of softmax(t × scores)."""

    def loss(log_t: float) -> float:
        p = softmax(np.exp(log_t) * scores)
        return float(-np.mean(np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, 1.0))))

    best = minimize_scalar(loss, bounds=(np.log(0.05), np.log(100.0)), method="bounded")
    return float(np.exp(best.x))


def _folds(y: np.ndarray, groups: np.ndarray, n_splits: int) -> list[tuple[np.ndarray, np.ndarray]]:
    _, counts = np.unique(y, return_counts=True)
    if counts.min() >= n_splits:
        splitter: Any = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
    else:
        splitter = GroupKFold(n_splits=n_splits)
    return list(splitter.split(np.zeros(len(y)), y, groups))


@dataclass
class Evaluation:
    """How a head did on cross-validated predictions (every figure out of fold)."""

    labels: list[str]
    macro_f1: float
    accuracy: float
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]
    confusion: list[list[int]]
    folds: int

    @classmethod
    def of(
        cls, truth: Sequence[str], predicted: Sequence[str], labels: list[str], folds: int
    ) -> "Evaluation":
        p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
        return cls(
            labels=labels,
            macro_f1=float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
            accuracy=float(np.mean(np.asarray(truth) == np.asarray(predicted))),
            precision=[round(float(v), 4) for v in p],
            recall=[round(float(v), 4) for v in r],
            f1=[round(float(v), 4) for v in f],
            support=[int(v) for v in s],
            confusion=confusion_matrix(truth, predicted, labels=labels).tolist(),
            folds=folds,
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fit_head(
    x: sparse.csr_matrix,
    y: Sequence[str],
    groups: Sequence[Any],
    *,
    folds: int = CV_FOLDS,
    evaluate: bool = True,
) -> tuple[LinearModel, Evaluation | None]:
    """Fit a head on all rows; with ``evaluate``, first a grouped k-fold run for the
    temperature and the evaluation (rows of one group never split across folds)."""
    target = np.asarray([str(v) for v in y])
    labels = sorted(set(target.tolist()))
    if len(labels) < 2:
        raise ValueError(gettext("至少需要两个类别"))
    index = {label: i for i, label in enumerate(labels)}
    truth = np.array([index[v] for v in target])
    temperature, evaluation = 1.0, None
    group_ids = np.unique(np.asarray([str(g) for g in groups]), return_inverse=True)[1]
    if evaluate and len(set(group_ids.tolist())) >= folds and len(target) >= 4 * folds:
        scores = np.zeros((len(target), len(labels)), dtype=np.float64)
        splits = [s for s in _folds(target, group_ids, folds) if len(set(target[s[0]].tolist())) >= 2]

        def fold(split: tuple[np.ndarray, np.ndarray]) -> None:
            train, test = split
            coef, intercept = _svm(x[train], target[train], labels)
            scores[test] = np.asarray(x[test] @ coef.T) + intercept

        # liblinear releases the GIL: the folds train side by side on the machine's cores.
        with ThreadPoolExecutor(max_workers=min(len(splits), os.cpu_count() or 1) or 1) as pool:
            list(pool.map(fold, splits))
        temperature = _fit_temperature(scores, truth)
        predicted = [labels[i] for i in scores.argmax(axis=1)]
        evaluation = Evaluation.of(target.tolist(), predicted, labels, len(splits))
    coef, intercept = _svm(x, target, labels)
    stored: Any = _prune(coef, PRUNE_KEEP) if len(labels) > PRUNE_ABOVE_CLASSES else coef
    return LinearModel(labels, stored, intercept, temperature), evaluation


@dataclass
class Bundle:
    """What one model file holds."""

    featurizer: Featurizer
    heads: dict[str, LinearModel]
    evaluations: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def features(self, docs: Docs) -> sparse.csr_matrix:
        return self.featurizer.transform(docs)

    def top(self, head: str, x: sparse.csr_matrix, k: int) -> list[list[tuple[str, float]]]:
        """For each row, the ``k`` most likely labels of ``head`` with their confidences."""
        model = self.heads[head]
        proba = model.proba(x)
        k = min(k, len(model.labels))
        order = np.argsort(-proba, axis=1)[:, :k]
        return [
            [(model.labels[j], float(row[j])) for j in idx] for row, idx in zip(proba, order, strict=True)
        ]


def train_bundle(
    docs: Docs,
    targets: Mapping[str, Sequence[str]],
    groups: Sequence[Any],
    *,
    spec: FeatureSpec | None = None,
    evaluate: bool = True,
) -> Bundle:
    """Fit the features on ``docs`` and one head per entry of ``targets`` (same rows)."""
    started = time.perf_counter()
    featurizer = Featurizer(spec).fit(docs)
    x = featurizer.transform(docs)
    bundle = Bundle(featurizer=featurizer, heads={})
    for name, y in targets.items():
        model, evaluation = fit_head(x, y, groups, evaluate=evaluate)
        bundle.heads[name] = model
        if evaluation is not None:
            bundle.evaluations[name] = evaluation.as_dict()
    bundle.meta.update(rows=len(docs), features=int(x.shape[1]), seconds=time.perf_counter() - started)
    return bundle
