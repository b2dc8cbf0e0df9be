"""Search over the archive: a per-page full-text index, accent-insensitive, with filters.

``index`` holds the two backends (embedded SQLite FTS5, PostgreSQL with ``unaccent``) and the
query; ``sync`` keeps an index in step with the archive's catalogue.
"""

from pipeline.search.index import (
    Hit,
    Index,
    IndexedDossier,
    PostgresIndex,
    Query,
    QueueItem,
    SqliteIndex,
    open_index,
    snippet,
)
from pipeline.search.sync import SyncReport, index_dossier, sync

__all__ = [
    "Hit", "Index", "IndexedDossier", "PostgresIndex", "Query", "QueueItem", "SqliteIndex", "SyncReport",
    "index_dossier", "open_index", "snippet", "sync",
]
