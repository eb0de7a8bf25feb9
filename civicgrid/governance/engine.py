"""The hot-issue engine: clusters of similar requests by place and time, and their heat.

Pure numpy/scipy on columnar input, so that it runs the same on the product's requests
(``hot.py`` reads them from the database) and on an external file (``messages.py`` reads
``hot_messages.csv``). The steps, all vectorised (no loop over requests):

1. **Blocks.** Each item carries a block number: its area (community, or the district a
   message names) and its category group. Two items are compared only inside one block.
2. **TF-IDF.** Term ids (jieba words hashed, see ``text.py``) become a sparse matrix with
   sub-linear term frequency and smoothed IDF over the corpus; rows are L2-normalised.
3. **Candidates.** A block of up to ``exact_block`` items is compared exhaustively (one
   sparse product per block). In a larger block, ``hashes`` min-hashes of each item's term
   set are cut into bands of ``rows_per_band``; items whose band agrees are candidates
   (each paired with the first and the previous item of its bucket, so a bucket of n gives
   at most 2n pairs, never n²).
4. **Verification.** A candidate pair is linked when its cosine is at least ``similarity``,
   both lie within ``max_distance_m`` when both have coordinates, within ``window_days``
   of each other, and name the same place when places are given (a message that names no
   place needs ``unplaced_similarity``).
5. **Clusters.** Connected components of the links; then every member must reach
   ``member_similarity`` against its cluster's centroid (single-linkage chains are cut).
6. **Near clusters across blocks** of one category group whose centroids lie within
   ``merge_distance_m`` and whose centroids are similar are merged ("within a distance":
   the same problem on both sides of a community's boundary).

The heat index is ``heat()``; the formula is in ``docs/modules/governance.md``.
"""

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    # scipy (about a second to import) is imported by the functions that compute, not at boot.
    from scipy import sparse

P31 = (1 << 31) - 1
EARTH_M = 6_371_000.0
CHUNK = 500_000
DAMPING = 0.35
# Pseudo-documents in which no word occurs: on a small corpus (one community's month) a
# word shared by most requests is still a good sign of one problem; on a city's month
# (N ≫ 1,000) the prior is negligible and the IDF is the usual one.
IDF_PRIOR_DOCS = 1000


@dataclass(frozen=True)
class Params:
    similarity: float = 0.35
    member_similarity: float = 0.3
    unplaced_similarity: float = 0.55
    max_distance_m: float = 800.0
    merge_distance_m: float = 200.0
    window_days: float | None = 31.0
    min_size: int = 3
    hashes: int = 12
    rows_per_band: int = 2
    seed: int = 20200101
    exact_block: int = 1500  # blocks up to this size are compared exhaustively; larger ones by LSH
    common_share: float = 0.05  # words in more requests than this share find no candidates
    previous_words: int = 2  # of the cluster's five central words, for the previous count
    same_spot: bool = True  # items of one spot (building and leaf category) link whatever their words


@dataclass
class Corpus:
    """Columnar items. ``terms`` is CSR-like: item i has ``term_ids[term_ptr[i]:term_ptr[i+1]]``."""

    block: np.ndarray  # int64, items of different blocks are never compared
    group: np.ndarray  # int64, category group: near clusters of one group may merge across blocks
    at: np.ndarray  # float64, seconds since the epoch
    lon: np.ndarray  # float64, nan when unknown
    lat: np.ndarray
    term_ptr: np.ndarray  # int64, len n + 1
    term_ids: np.ndarray  # uint32
    places: Sequence[Sequence[str]] | None = None  # names of places in the text (external data)
    area: np.ndarray | None = None  # int64, -1 unknown: items of two known, different areas never link
    damped: np.ndarray | None = None  # uint32 term ids weighed DAMPING times less (place names)
    # int64, the IDF of an item's words is counted over the items of its own idf area (the
    # community): a community's requests weigh the same whichever larger area is asked.
    idf_area: np.ndarray | None = None
    # int64, -1 unknown: one building (or one numbered address) and one leaf category. Two items
    # of one spot in one block link within the window and distance however they are worded.
    spot: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.block)


@dataclass
class Cluster:
    members: np.ndarray  # item indexes, most central first
    centroid: (
        "sparse.csr_matrix"  # the centroids of all clusters (L2-normalised rows); this one is row ``index``
    )
    index: int
    block: int
    group: int
    top_terms: list[int] = field(default_factory=list)  # term ids (hashes), strongest first


@dataclass
class Result:
    clusters: list[Cluster]
    matrix: "sparse.csr_matrix"
    vocabulary: np.ndarray  # term id of each column
    stats: dict[str, float] = field(default_factory=dict)


# TF-IDF -----------------------------------------------------------------------------------


HASH_BITS = 22  # term id mod 2²² (4 million; collisions among a month's words are rare)
HASH_MASK = np.uint32((1 << HASH_BITS) - 1)
SORT_BELOW = 1 << 20  # terms; more are numbered through a table of the 2²² hashed columns


def hashed_columns(*term_ids: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The column of each term: its hashed column (term id mod 2²²) numbered among the hashed
    columns that occur in ``term_ids``, in the same order; and each such hashed column.

    A matrix as wide as the hashed columns that occur, not 2²²: one community's month has a
    few thousand words, and arrays and products 4 million wide cost ~0.4 s whatever the size
    of the corpus. The order of the columns is kept, so every result is the same as with
    the 2²² columns themselves.
    """
    hashed = [(ids & HASH_MASK).astype(np.int64) for ids in term_ids]
    if sum(len(h) for h in hashed) < SORT_BELOW:
        occurring = np.unique(np.concatenate(hashed))
        return [np.searchsorted(occurring, h).astype(np.int32) for h in hashed], occurring
    present = np.zeros(1 << HASH_BITS, dtype=bool)  # a city's month: no sort of 60 million ids
    for h in hashed:
        present[h] = True
    number = np.cumsum(present, dtype=np.int32) - 1
    return [number[h] for h in hashed], np.flatnonzero(present)


def tfidf(corpus: Corpus) -> tuple["sparse.csr_matrix", np.ndarray]:
    """Rows: items; columns: hashed term ids. Sub-linear tf, smoothed idf, L2-normalised rows.

    Returns the matrix and, for each column, a term id that falls in it (to name keywords;
    its hashed column is ``term id & HASH_MASK``). Only the hashed columns that occur are
    columns (``hashed_columns``).
    """
    from scipy import sparse

    n = corpus.n
    (columns,), hashed = hashed_columns(corpus.term_ids)
    width = len(hashed)
    vocabulary = np.zeros(width, dtype=np.uint32)
    vocabulary[columns] = corpus.term_ids
    counts = np.ones(len(columns), dtype=np.float32)
    matrix = sparse.csr_matrix((counts, columns, corpus.term_ptr), shape=(n, width))
    matrix.sum_duplicates()
    matrix.data = 1.0 + np.log(matrix.data)
    if corpus.idf_area is None:
        df = np.bincount(matrix.indices, minlength=width)
        idf = (np.log((n + IDF_PRIOR_DOCS) / (df + 1)) + 1.0).astype(np.float32)
        matrix.data *= idf[matrix.indices]
    else:
        matrix.data *= area_idf(matrix, corpus.idf_area)
    if corpus.damped is not None and len(corpus.damped):
        damped = (corpus.damped & HASH_MASK).astype(np.int64)
        occurring = np.searchsorted(hashed, damped)
        occurring = occurring[(occurring < width) & (hashed[np.minimum(occurring, width - 1)] == damped)]
        matrix.data[np.isin(matrix.indices, occurring)] *= DAMPING
    squares = np.bincount(
        np.repeat(np.arange(n), np.diff(matrix.indptr)),
        weights=matrix.data.astype(np.float64) ** 2,
        minlength=n,
    )
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    matrix.data = (matrix.data / np.repeat(norms, np.diff(matrix.indptr))).astype(np.float32)
    return matrix, vocabulary


def area_idf(matrix: "sparse.csr_matrix", idf_area: np.ndarray) -> np.ndarray:
    """The IDF of each stored (item, word) counted over the items of the item's own area:
    ln((N_area + 1000) / (df_area + 1)) + 1. ``matrix`` has each (item, word) once.

    No sort of the (area, word) pairs (60 million in a city's month): the words are put in
    area order (a radix sort of 16-bit area numbers) and each area's words are counted in one
    counter array, reset after it."""
    areas, row_area = np.unique(idf_area, return_inverse=True)
    row_area = row_area.astype(np.int64).ravel()
    owner = np.repeat(row_area, np.diff(matrix.indptr))
    docs = np.bincount(row_area, minlength=len(areas))[owner]
    if len(areas) == 1:
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])[matrix.indices]
    else:
        narrow = owner.astype(np.uint16 if len(areas) <= 1 << 16 else np.int32)
        order = np.argsort(narrow, kind="stable")
        cols = matrix.indices[order]
        bounds = np.searchsorted(owner[order], np.arange(len(areas) + 1))
        counter = np.zeros(matrix.shape[1], dtype=np.int64)
        df = np.empty(len(cols), dtype=np.int64)
        for lo, hi in itertools.pairwise(bounds):
            part = cols[lo:hi]
            np.add.at(counter, part, 1)
            df[order[lo:hi]] = counter[part]
            counter[part] = 0
    return (np.log((docs + IDF_PRIOR_DOCS) / (df + 1.0)) + 1.0).astype(np.float32)


# Candidates -------------------------------------------------------------------------------


def minhashes(matrix: "sparse.csr_matrix", hashes: int, seed: int, vocabulary: np.ndarray) -> np.ndarray:
    """``hashes`` min-hashes of each row's set of hashed columns (rows without terms: all P31).

    ``vocabulary``: a term id of each column (``tfidf``), whose hashed column is hashed here.
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(1, P31, size=hashes, dtype=np.int64)
    b = rng.integers(0, P31, size=hashes, dtype=np.int64)
    cols = (vocabulary[matrix.indices] & HASH_MASK).astype(np.int64)
    starts = matrix.indptr[:-1]
    empty = np.diff(matrix.indptr) == 0
    result = np.full((matrix.shape[0], hashes), P31, dtype=np.int64)
    if len(cols) == 0:
        return result
    safe = np.minimum(starts, len(cols) - 1)
    for k in range(hashes):
        h = (a[k] * cols + b[k]) % P31
        mins = np.minimum.reduceat(h, safe)
        mins[empty] = P31
        result[:, k] = mins
    return result


def _bucket_pairs(keys: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (first of bucket, item) and (previous in bucket, item) for equal keys."""
    idx = np.flatnonzero(valid)
    if len(idx) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = idx[np.argsort(keys[idx], kind="stable")]
    sorted_keys = keys[order]
    same = np.empty(len(order), dtype=bool)
    same[0] = False
    same[1:] = sorted_keys[1:] == sorted_keys[:-1]
    run_start = np.maximum.accumulate(np.where(~same, np.arange(len(order)), 0))
    first = order[run_start]
    previous = np.empty_like(order)
    previous[0] = order[0]
    previous[1:] = order[:-1]
    i = np.concatenate([first[same], previous[same]])
    j = np.concatenate([order[same], order[same]])
    return i, j


def candidate_pairs(block: np.ndarray, signatures: np.ndarray, rows_per_band: int) -> np.ndarray:
    """Unique candidate pairs (i < j) as int64 codes ``i * n + j``."""
    n = len(block)
    valid = signatures[:, 0] != P31
    codes = []
    mix = np.int64(0x9E3779B1)
    for start in range(0, signatures.shape[1] - rows_per_band + 1, rows_per_band):
        key = block.astype(np.int64) * np.int64(1_000_003)
        for r in range(rows_per_band):
            key = key * mix + signatures[:, start + r]
        i, j = _bucket_pairs(key, valid)
        keep = (i != j) & (block[i] == block[j])
        i, j = i[keep], j[keep]
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        codes.append(lo * n + hi)
    if not codes:
        return np.empty(0, np.int64)
    return np.unique(np.concatenate(codes))


def pair_cosines(matrix: "sparse.csr_matrix", i: np.ndarray, j: np.ndarray) -> np.ndarray:
    out = np.empty(len(i), dtype=np.float32)
    for s in range(0, len(i), CHUNK):
        a, b = matrix[i[s : s + CHUNK]], matrix[j[s : s + CHUNK]]
        out[s : s + CHUNK] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out


def distances_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Equirectangular distance in metres (exact enough within a city); nan when a point is missing."""
    mean_lat = np.radians((lat1 + lat2) / 2)
    dx = np.radians(lon2 - lon1) * np.cos(mean_lat)
    dy = np.radians(lat2 - lat1)
    return np.sqrt(dx * dx + dy * dy) * EARTH_M


def same_place(a: Sequence[str], b: Sequence[str]) -> bool | None:
    """True when two messages name one place (equal, or one name contains the other).

    None when one of them names no place.
    """
    if not a or not b:
        return None
    return any(x == y or (len(x) >= 3 and x in y) or (len(y) >= 3 and y in x) for x in a for y in b)


ROW_CHUNK = 250_000
COMMON_MIN_DOCS = 1000  # a word is "common" only when it is in more requests than this, too


def _exact_pairs(
    matrix: "sparse.csr_matrix", block: np.ndarray, rows: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of ``rows`` in one block with cosine ≥ ``similarity``, from one block-diagonal product.

    Each non-zero (row, word) becomes (row, (block, word)): the product of that matrix with
    its transpose has non-zeros only for pairs of one block that share a word. Words in more
    than ``common_share`` of all requests (and more than 1,000) are left out of this product
    (two requests that share only such words are not similar); the cosine of each candidate is then computed
    in full. The cost is the sum over (block, word) of the squared number of requests with
    that word in that block — never the square of a block or of the city.
    """
    from scipy import sparse

    empty = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    if len(rows) < 2:
        return empty
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    informative = df <= max(params.common_share * matrix.shape[0], COMMON_MIN_DOCS)
    part = matrix[rows]
    keep = informative[part.indices]
    lengths = np.add.reduceat(keep, part.indptr[:-1]) if len(keep) else np.zeros(len(rows), np.int64)
    lengths[np.diff(part.indptr) == 0] = 0
    owner = np.repeat(block[rows], np.diff(part.indptr))[keep]
    keys = owner.astype(np.int64) << HASH_BITS | part.indices[keep].astype(np.int64)
    if not len(keys):
        return empty
    uniq, compact = np.unique(keys, return_inverse=True)
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    ones = np.ones(len(keys), dtype=np.float32)
    spread = sparse.csr_matrix((ones, compact.ravel(), ptr), shape=(len(rows), len(uniq)))
    transposed = spread.T.tocsr()
    found_i, found_j = [], []
    for s in range(0, len(rows), ROW_CHUNK):
        product = (spread[s : s + ROW_CHUNK] @ transposed).tocoo()
        r = product.row.astype(np.int64) + s
        ok = r < product.col
        found_i.append(rows[r[ok]])
        found_j.append(rows[product.col[ok]])
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    cos = pair_cosines(matrix, i, j)
    ok = cos >= params.similarity
    return i[ok], j[ok], cos[ok]


def _lsh_pairs(
    corpus: Corpus, matrix: "sparse.csr_matrix", vocabulary: np.ndarray, rows: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs of the large blocks by MinHash/LSH, verified by their cosine."""
    if not len(rows):
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    signatures = minhashes(matrix[rows], params.hashes, params.seed, vocabulary)
    codes = candidate_pairs(corpus.block[rows], signatures, params.rows_per_band)
    m = len(rows)
    i, j = rows[codes // m], rows[codes % m]
    return i, j, pair_cosines(matrix, i, j)


def _spot_pairs(corpus: Corpus, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of items of one spot (building and leaf category) in one block: (first, item) and
    (previous, item) of each spot, so a spot's items are connected without n² pairs."""
    if corpus.spot is None or not params.same_spot:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    i, j = _bucket_pairs(corpus.spot, corpus.spot >= 0)
    keep = (i != j) & (corpus.block[i] == corpus.block[j])
    return i[keep], j[keep]


def _links(
    corpus: Corpus, matrix: "sparse.csr_matrix", vocabulary: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray]:
    sizes = np.bincount(corpus.block) if len(corpus.block) else np.zeros(0, np.int64)
    block_size = sizes[corpus.block] if len(corpus.block) else np.zeros(0, np.int64)
    small = np.flatnonzero((block_size >= 2) & (block_size <= params.exact_block))
    large = np.flatnonzero(block_size > params.exact_block)
    i1, j1, c1 = _exact_pairs(matrix, corpus.block, small, params)
    i2, j2, c2 = _lsh_pairs(corpus, matrix, vocabulary, large, params)
    i3, j3 = _spot_pairs(corpus, params)
    i, j = np.concatenate([i1, i2, i3]), np.concatenate([j1, j2, j3])
    cos = np.concatenate([c1, c2, np.ones(len(i3), np.float32)])  # one spot: linked as if alike
    ok = cos >= params.similarity
    if params.window_days is not None:
        ok &= np.abs(corpus.at[i] - corpus.at[j]) <= params.window_days * 86400
    dist = distances_m(corpus.lon[i], corpus.lat[i], corpus.lon[j], corpus.lat[j])
    ok &= ~(dist > params.max_distance_m)  # nan (a point unknown) passes
    if corpus.area is not None:
        a, b = corpus.area[i], corpus.area[j]
        ok &= (a < 0) | (b < 0) | (a == b)
    if corpus.places is not None:
        places = corpus.places
        for k in np.flatnonzero(ok):
            same = same_place(places[i[k]], places[j[k]])
            if same is False or (same is None and cos[k] < params.unplaced_similarity):
                ok[k] = False
    return i[ok], j[ok]


# Clusters ---------------------------------------------------------------------------------


def _centroids(matrix: "sparse.csr_matrix", labels: np.ndarray, k: int) -> "sparse.csr_matrix":
    from scipy import sparse

    n = matrix.shape[0]
    member = sparse.csr_matrix((np.ones(n, np.float32), (labels, np.arange(n))), shape=(k, n))
    sums = (member @ matrix).tocsr()
    norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms).dot(sums).tocsr().astype(np.float32)


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    graph = sparse.coo_matrix((np.ones(len(i), np.int8), (i, j)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def _refine(
    matrix: "sparse.csr_matrix", labels: np.ndarray, params: Params, spot: np.ndarray | None = None
) -> np.ndarray:
    """Members far from their cluster's centroid leave it (they become clusters of one),
    unless another member shares their spot (``Corpus.spot``: the same building and leaf
    category link whatever their words)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    sizes = np.bincount(labels, minlength=k)
    multi = sizes[labels] > 1
    if not multi.any():
        return labels
    centroids = _centroids(matrix, labels, k)
    idx = np.flatnonzero(multi)
    cos = np.empty(len(idx), dtype=np.float32)
    for s in range(0, len(idx), CHUNK):
        part = idx[s : s + CHUNK]
        cos[s : s + CHUNK] = np.asarray(matrix[part].multiply(centroids[labels[part]]).sum(axis=1)).ravel()
    far = cos < params.member_similarity
    if spot is not None and params.same_spot and far.any():
        known = idx[spot[idx] >= 0]
        pair = labels[known].astype(np.int64) * (int(spot.max()) + 1) + spot[known]
        values, counts = np.unique(pair, return_counts=True)
        shared = np.zeros(len(labels), dtype=bool)
        shared[known] = counts[np.searchsorted(values, pair)] >= 2
        far &= ~shared[idx]
    leave = idx[far]
    labels = labels.copy()
    labels[leave] = k + np.arange(len(leave))
    _, labels = np.unique(labels, return_inverse=True)
    return labels.astype(np.int64)


def _merge_near(
    corpus: Corpus, matrix: "sparse.csr_matrix", labels: np.ndarray, params: Params
) -> np.ndarray:
    """Clusters of one category group in different blocks, centroids near and alike, become one."""
    k = int(labels.max()) + 1 if len(labels) else 0
    sizes = np.bincount(labels, minlength=k)
    located = ~np.isnan(corpus.lon)
    big = np.flatnonzero(sizes >= 2)
    if len(big) < 2 or not located.any():
        return labels
    count = np.bincount(labels[located], minlength=k).astype(float)
    lon = np.bincount(labels[located], weights=corpus.lon[located], minlength=k)
    lat = np.bincount(labels[located], weights=corpus.lat[located], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        lon, lat = lon / count, lat / count
    first = np.full(k, -1, dtype=np.int64)
    first[labels[::-1]] = np.arange(len(labels))[::-1]
    cell = 0.01  # about 1 km: neighbours are found in the 3 × 3 cells around
    buckets: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for c in big:
        if np.isnan(lon[c]):
            continue
        buckets[(int(corpus.group[first[c]]), int(lon[c] // cell), int(lat[c] // cell))].append(int(c))
    centroids = _centroids(matrix, labels, k)
    parent = np.arange(k)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for (group, cx, cy), members in buckets.items():
        near = [
            c for dx in (-1, 0, 1) for dy in (-1, 0, 1) for c in buckets.get((group, cx + dx, cy + dy), [])
        ]
        for a in members:
            for b in near:
                if b <= a or corpus.block[first[a]] == corpus.block[first[b]]:
                    continue
                far = distances_m(lon[a : a + 1], lat[a : a + 1], lon[b : b + 1], lat[b : b + 1])[0]
                if far > params.merge_distance_m:
                    continue
                if centroids[a].multiply(centroids[b]).sum() >= params.similarity:
                    parent[root(a)] = root(b)
    roots = np.array([root(c) for c in range(k)])
    _, merged = np.unique(roots[labels], return_inverse=True)
    return merged.astype(np.int64)


def cluster(corpus: Corpus, params: Params | None = None) -> Result:
    """Clusters of at least ``min_size`` items, each with its members most central first."""
    params = params or Params()
    matrix, vocabulary = tfidf(corpus)
    i, j = _links(corpus, matrix, vocabulary, params)
    labels = _components(corpus.n, i, j)
    labels = _refine(matrix, labels, params, corpus.spot)
    labels = _merge_near(corpus, matrix, labels, params)
    clusters = _collect(corpus, matrix, labels, np.arange(corpus.n), params)
    for c in clusters:
        c.top_terms = [int(vocabulary[t]) for t in c.top_terms]
    stats = {"items": float(corpus.n), "links": float(len(i)), "clusters": float(len(clusters))}
    return Result(clusters, matrix, vocabulary, stats)


def _rowwise(a: "sparse.csr_matrix", ia: np.ndarray, b: "sparse.csr_matrix", ib: np.ndarray) -> np.ndarray:
    """Dot products of rows ``a[ia[k]]`` and ``b[ib[k]]`` for every k, in chunks."""
    out = np.empty(len(ia), dtype=np.float32)
    for s in range(0, len(ia), CHUNK):
        out[s : s + CHUNK] = np.asarray(
            a[ia[s : s + CHUNK]].multiply(b[ib[s : s + CHUNK]]).sum(axis=1)
        ).ravel()
    return out


def _collect(
    part: Corpus, matrix: "sparse.csr_matrix", labels: np.ndarray, sub: np.ndarray, params: Params
) -> list[Cluster]:
    k = int(labels.max()) + 1 if len(labels) else 0
    sizes = np.bincount(labels, minlength=k)
    keep = np.flatnonzero(sizes >= params.min_size)
    if not len(keep):
        return []
    new_label = np.full(k, -1, dtype=np.int64)
    new_label[keep] = np.arange(len(keep))
    kept = np.flatnonzero(new_label[labels] >= 0)
    kl = new_label[labels[kept]]
    centroids = _centroids(matrix[kept], kl, len(keep))
    closeness = _rowwise(matrix, kept, centroids, kl)
    order = np.lexsort((-closeness, kl))  # by cluster, most central first
    members_sorted = kept[order]
    bounds = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(np.bincount(kl, minlength=len(keep)), out=bounds[1:])
    found = []
    for c in range(len(keep)):
        members = members_sorted[bounds[c] : bounds[c + 1]]
        lo, hi = centroids.indptr[c], centroids.indptr[c + 1]
        cols, weights = centroids.indices[lo:hi], centroids.data[lo:hi]
        if len(weights) > 8:
            pick = np.argpartition(-weights, 8)[:8]
            cols, weights = cols[pick], weights[pick]
        top = cols[np.argsort(-weights, kind="stable")]
        found.append(
            Cluster(
                members=sub[members],
                centroid=centroids,
                index=c,
                block=int(part.block[members[0]]),
                group=int(part.group[members[0]]),
                top_terms=[int(t) for t in top],
            )
        )
    return found


def count_previous(
    block: np.ndarray, term_ptr: np.ndarray, term_ids: np.ndarray, clusters: list[Cluster], params: Params
) -> list[int]:
    """For each cluster, the items of another period (the previous one) in its block that
    contain at least ``previous_words`` of its five central words."""
    from scipy import sparse

    if not clusters or not len(block):
        return [0] * len(clusters)
    n = len(block)
    top_ids = [np.array(c.top_terms[:5], dtype=np.uint32) for c in clusters]
    (cols, top_cols), hashed = hashed_columns(term_ids, np.concatenate(top_ids))
    width = len(hashed)
    items = sparse.csr_matrix((np.ones(len(cols), np.float32), cols, term_ptr), shape=(n, width))
    items.sum_duplicates()
    items.data[:] = 1.0
    top = [len(t) for t in top_ids]
    tops = sparse.csr_matrix(
        (np.ones(len(top_cols), np.float32), top_cols, np.concatenate([[0], np.cumsum(top)])),
        shape=(len(clusters), width),
    )
    tops.sum_duplicates()
    tops.data[:] = 1.0
    cluster_block = np.array([c.block for c in clusters], dtype=np.int64)
    by = np.argsort(cluster_block, kind="stable")
    lo = np.searchsorted(cluster_block[by], block, side="left")
    hi = np.searchsorted(cluster_block[by], block, side="right")
    per = hi - lo
    rows = np.repeat(np.arange(n), per)
    which = by[np.repeat(lo, per) + (np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per))]
    shared = _rowwise(items, rows, tops, which)
    need = np.array([min(params.previous_words, t) for t in top])[which]
    return np.bincount(which[shared >= need], minlength=len(clusters)).astype(int).tolist()


# Heat ---------------------------------------------------------------------------------------

GROWTH_WEIGHT = 0.5
GROWTH_CAP = 4.0
UNSATISFIED_WEIGHT = 1.0
VOTES_WEIGHT = 0.25


def growth(count: int, previous: int) -> float:
    """(n − n_prev) / max(n_prev, 1): +1.0 means the problem doubled against the previous period."""
    return (count - previous) / max(previous, 1)


def heat(*, count: int, previous: int | None, requesters: int, unsatisfied_share: float, votes: int) -> float:
    """heat = (n + p)/2 · (1 + 0.5·min(g⁺, 4)) · (1 + 1.0·u) · (1 + 0.25·ln(1 + v)).

    ``previous`` None: no previous period is known (growth counts as 0).
    """
    g = 0.0 if previous is None else min(max(growth(count, previous), 0.0), GROWTH_CAP)
    base = (count + requesters) / 2
    value = (
        base
        * (1 + GROWTH_WEIGHT * g)
        * (1 + UNSATISFIED_WEIGHT * unsatisfied_share)
        * (1 + VOTES_WEIGHT * math.log1p(max(votes, 0)))
    )
    return round(value, 3)


def term_words(ids: list[int], texts: list[str], tokenize: Callable[[str], list[str]]) -> list[str]:
    """Words of the given term ids, found again by cutting a few texts (ids are hashes)."""
    from civicgrid.governance.text import term_id

    wanted = set(ids)
    found: dict[int, str] = {}
    for text in texts:
        for w in tokenize(text):
            t = term_id(w)
            if t in wanted and t not in found:
                found[t] = w
        if len(found) == len(wanted):
            break
    return [found[t] for t in ids if t in found]
