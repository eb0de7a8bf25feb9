"""Process-wide tuning of the PostgreSQL driver."""

from types import ModuleType

_queries: ModuleType | None
try:
    from psycopg import _queries
except ImportError:  # a psycopg without this private module: parse as it does by default
    _queries = None

# Statements up to this size have their placeholders parsed once per process.
STATEMENT_CACHE_LENGTH = 16_384
STATEMENT_CACHE_PARAMS = 256


def widen_statement_cache() -> None:
    """Let psycopg keep the parse of longer statements.

    psycopg parses each statement's ``%s`` placeholders in Python (with server-side binding
    as with client-side), and keeps the parse (an LRU of 128 statements) only for
    statements of at most 4,096 characters and 50 parameters. The
    intake's single write (``core.bulk.insert_together``: a data-modifying CTE of about
    120 values) is longer, and was parsed anew every time: about 0.6 ms of the 4.5 ms of
    CPU an intake costs. The wider limits keep such statements too; statements with more
    parameters (the multi-row ``VALUES`` of the historical import's writer, batches on
    SQLite) stay uncached. Memory stays bounded by the LRU: at most 128 statements of at
    most 16 KB each.

    The limits are private module constants of psycopg 3 (read at each call); if a later
    release drops them, or the module, this does nothing, and statements are parsed as
    before.
    """
    if _queries is None:
        return
    for name, limit in (
        ("MAX_CACHED_STATEMENT_LENGTH", STATEMENT_CACHE_LENGTH),
        ("MAX_CACHED_STATEMENT_PARAMS", STATEMENT_CACHE_PARAMS),
    ):
        if hasattr(_queries, name):
            setattr(_queries, name, max(getattr(_queries, name), limit))
