"""Many texts at once, spread over the machine's cores (forked worker processes).

Segmentation and features are pure Python and hold the GIL, so big batches are cut into
chunks that worker processes normalise, segment, featurise and classify; the model is
loaded before forking and shared copy-on-write.
"""

import multiprocessing
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from civicgrid.classifier.text import segmenter, words

if TYPE_CHECKING:
    from civicgrid.classifier.engine import Bundle

# Below this many texts, starting worker processes costs more than it saves.
PARALLEL_FROM = 1500
CHUNK = 500

_worker_bundle: "Bundle | None" = None  # the model the forked workers classify with


def _processes(count: int, processes: int | None) -> int:
    if processes is None:
        processes = min(os.cpu_count() or 1, 4) if count >= PARALLEL_FROM else 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, processes)


def words_many(texts: Sequence[str], *, processes: int | None = None) -> list[list[str]]:
    """``text.words`` of each text, in order."""
    processes = _processes(len(texts), processes)
    if processes <= 1:
        return [words(t) for t in texts]
    segmenter()  # load the dictionary once, before forking, so the workers share it
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return pool.map(words, texts, chunksize=max(50, len(texts) // (processes * 8)))


def _classify(bundle: "Bundle", texts: Sequence[str], head: str) -> list[tuple[str, float]]:
    x = bundle.features([words(t) for t in texts])
    return [best[0] for best in bundle.top(head, x, 1)]


def _classify_in_worker(job: tuple[Sequence[str], str]) -> list[tuple[str, float]]:
    assert _worker_bundle is not None
    return _classify(_worker_bundle, *job)


def predict(
    bundle: "Bundle", texts: Sequence[str], *, head: str = "label", processes: int | None = None
) -> list[tuple[str, float]]:
    """The most likely label of ``head`` and its confidence for each text, in order."""
    global _worker_bundle
    jobs: list[Any] = [(texts[i : i + CHUNK], head) for i in range(0, len(texts), CHUNK)]
    processes = _processes(len(texts), processes)
    if processes <= 1:
        return [row for texts_, head_ in jobs for row in _classify(bundle, texts_, head_)]
    segmenter()
    _worker_bundle = bundle
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            return [row for rows in pool.map(_classify_in_worker, jobs, chunksize=1) for row in rows]
    finally:
        _worker_bundle = None
