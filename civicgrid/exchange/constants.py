"""Named constants of the exchange module: audit verbs and limits."""


class Verb:
    IMPORT_COMPLETED = "exchange.import_completed"
    EXPORTED = "exchange.exported"
    EXPORT_DOWNLOADED = "exchange.export_downloaded"
    EXPORT_CANCELLED = "exchange.export_cancelled"


# Uploads larger than this are refused before anything is read.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Rows beyond this are refused (split the file); keeps one import's transaction bounded.
MAX_ROWS = 200_000
# At most this many problems are kept on a job (the count of all of them is kept too).
MAX_STORED_ERRORS = 1000
# How often (in rows) validation writes its progress.
PROGRESS_EVERY = 2000
# Rows per INSERT when importing.
BATCH_SIZE = 1000
# Rows in one Excel export (every list: the request ledger, the registry, the audit log);
# more must be narrowed by the filters (``exports.limit_export``).
EXPORT_MAX = 50_000

# Background exports (``exchange.background``, 下载中心): a list longer than ``BACKGROUND_FROM``
# rows is written by the task worker instead of in the page's request, up to
# ``BACKGROUND_EXPORT_MAX`` rows (an Excel sheet holds 1,048,576); its file is kept
# ``EXPORT_KEEP_DAYS`` days; a user has at most ``EXPORTS_RUNNING_MAX`` waiting or running.
BACKGROUND_FROM = 10_000
BACKGROUND_EXPORT_MAX = 1_000_000
EXPORT_KEEP_DAYS = 7
EXPORTS_RUNNING_MAX = 3
# A job still 生成中 this long after it started was left by a stopped worker: 失败 (re-ask it).
EXPORT_RUNNING_TIMEOUT_MINUTES = 60
