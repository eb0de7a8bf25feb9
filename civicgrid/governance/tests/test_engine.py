"""The hot-issue engine on columns: the matrix is as wide as the words that occur, and the
way its columns are numbered changes no result (candidates, clusters, central words)."""

import numpy as np
import pytest

from civicgrid.governance import engine


def synthetic(seed: int, n: int, blocks: int) -> engine.Corpus:
    """``n`` items in ``blocks`` blocks, each drawing words from one of 40 problems plus noise."""
    rng = np.random.default_rng(seed)
    vocabulary = rng.integers(0, 2**32, 2000, dtype=np.uint64).astype(np.uint32)
    problems = rng.integers(0, len(vocabulary), (40, 6))
    lengths = rng.integers(0, 16, n)
    words = [
        np.concatenate(
            [
                vocabulary[problems[rng.integers(0, 40)][rng.integers(0, 6, k // 2)]],
                vocabulary[rng.zipf(1.3, k - k // 2) % len(vocabulary)],
            ]
        )
        for k in lengths
    ]
    block = rng.integers(0, blocks, n)
    return engine.Corpus(
        block=block,
        group=block % 3,
        at=rng.uniform(0, 20 * 86400, n),
        lon=120.3 + rng.uniform(0, 0.005, n),
        lat=31.5 + rng.uniform(0, 0.005, n),
        term_ptr=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        term_ids=np.concatenate(words).astype(np.uint32),
        damped=vocabulary[:20],
    )


def outcome(corpus: engine.Corpus, params: engine.Params) -> list[tuple[list[int], list[int], int]]:
    result = engine.cluster(corpus, params)
    previous = engine.count_previous(corpus.block, corpus.term_ptr, corpus.term_ids, result.clusters, params)
    return [(c.members.tolist(), c.top_terms, p) for c, p in zip(result.clusters, previous, strict=True)]


def test_matrix_is_as_wide_as_the_words_that_occur() -> None:
    corpus = synthetic(1, 200, 4)
    matrix, vocabulary = engine.tfidf(corpus)
    occurring = np.unique(corpus.term_ids & engine.HASH_MASK)
    assert matrix.shape == (200, len(occurring))  # not 2²² columns for a community's month
    assert np.array_equal(vocabulary & engine.HASH_MASK, occurring)  # columns in hashed order


@pytest.mark.parametrize("params", [engine.Params(), engine.Params(exact_block=300)], ids=["exact", "lsh"])
def test_numbering_by_sort_or_by_table_gives_the_same_clusters(
    params: engine.Params, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = synthetic(2, 2000, 3)  # blocks of ~670: exhaustive, or MinHash above 300
    sorted_numbers = outcome(corpus, params)
    monkeypatch.setattr(engine, "SORT_BELOW", 0)  # a city's month numbers through the table
    assert outcome(corpus, params) == sorted_numbers
    assert len(sorted_numbers) >= 5


def test_minhashes_hash_the_hashed_columns_whatever_their_number() -> None:
    corpus = synthetic(3, 50, 1)
    matrix, vocabulary = engine.tfidf(corpus)
    signatures = engine.minhashes(matrix, 4, 7, vocabulary)
    rng = np.random.default_rng(7)
    a = rng.integers(1, engine.P31, size=4, dtype=np.int64)
    b = rng.integers(0, engine.P31, size=4, dtype=np.int64)
    for row in range(corpus.n):
        ids = corpus.term_ids[corpus.term_ptr[row] : corpus.term_ptr[row + 1]]
        hashed = np.unique(ids & engine.HASH_MASK).astype(np.int64)
        expected = [(a[k] * hashed + b[k]) % engine.P31 for k in range(4)]
        wanted = [int(e.min()) if len(hashed) else engine.P31 for e in expected]
        assert signatures[row].tolist() == wanted
