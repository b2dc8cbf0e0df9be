"""Keep the index in step with the archive: from the catalogue, each dossier's newest version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from pipeline.archive import RECORD, Store, catalog, read_file
from pipeline.core.record import Record
from pipeline.search.index import IndexedDossier, _Index


@dataclass
class SyncReport:
    indexed: list[str] = field(default_factory=list)
    unchanged: int = 0


def index_dossier(index: _Index, store: Store, key: str) -> None:
    """(Re)index one archived dossier from its committed record.json and page texts."""
    head = store.head(key + RECORD) or {}
    data = read_file(store, key, RECORD)
    rec = Record.model_validate_json(data)
    texts = {p.number: read_file(store, key, p.text_file).decode("utf-8") for p in rec.pages if p.text_file}
    index.put(IndexedDossier(key, rec, hashlib.sha256(data).hexdigest(), head.get("VersionId"), texts))


def sync(index: _Index, store: Store, *, commune: str | None = None) -> SyncReport:
    """Index every dossier whose newest catalogued version is not the one indexed."""
    newest: dict[str, str] = {}
    for entry in catalog.iter_entries(store):
        if commune is None or entry.commune.code == commune:
            newest[entry.key] = entry.record_sha256
    have = index.indexed()
    report = SyncReport()
    for key, sha in sorted(newest.items()):
        if have.get(key) == sha:
            report.unchanged += 1
            continue
        index_dossier(index, store, key)
        report.indexed.append(key)
    return report
