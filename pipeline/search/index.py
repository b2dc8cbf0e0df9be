"""The per-page full-text index over the archive, with the filters a clerk asks for.

Two backends with one interface: ``SqliteIndex`` (embedded, the default: SQLite FTS5 over a
folded column computed in Python, so đ → d and both tone placements match) and
``PostgresIndex`` (province scale: PostgreSQL full-text search with ``unaccent``). Rows are
per page, joined to the page's document (type, date, signer, needsReview) and its dossier
(commune, title); a dossier is replaced whole when a new version of it is indexed.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.errors import SearchError
from pipeline.core.record import Record
from pipeline.core.vi_text import fold, index_words, nfc

SNIPPET_CHARS = 90
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Query:
    text: str = ""
    commune: str | None = None
    type: str | None = None  # NĐ 30 abbreviation (QĐ) or the name (quyết định), accents optional
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    signer: str | None = None  # part of the signer's name, accents optional
    needs_review: bool | None = None
    limit: int = 50

    @property
    def terms(self) -> list[str]:
        return index_words(self.text)


@dataclass(frozen=True)
class Hit:
    key: str
    page: int
    document: int | None
    doc_code: str | None
    title: str
    commune: str
    type_name: str | None
    issued: dt.date | None
    signer: str | None
    needs_review: bool
    snippet: list[tuple[str, bool]] = field(default_factory=list)  # (text, is a match)


@dataclass(frozen=True)
class QueueItem:
    """A dossier with fields to review: how many, and in which documents."""

    key: str
    commune: str
    title: str
    file_code: str | None
    flags: int
    version: str | None


def snippet(text: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    """A window of ``text`` round its first match, the matched words marked. ``fold`` keeps one
    character per character, so positions found in the folded text hold in the original."""
    text = nfc(text)
    folded = fold(text)
    spans = []
    wanted = set(terms)
    i = 0
    for word in folded.split():
        start = folded.index(word, i)
        i = start + len(word)
        for part_start, part in _word_parts(word, start):
            if part in wanted:
                spans.append((part_start, part_start + len(part)))
    centre = _densest(folded, spans, width // 2)
    lo = max(0, centre - width // 2)
    hi = min(len(text), lo + width)
    out: list[tuple[str, bool]] = []
    at = lo
    for s, e in spans:
        if s < lo or e > hi:
            continue
        if s > at:
            out.append((text[at:s], False))
        out.append((text[s:e], True))
        at = e
    if at < hi:
        out.append((text[at:hi], False))
    return [(_SPACES.sub(" ", t) if not m else t, m) for t, m in out]


def _densest(folded: str, spans: list[tuple[int, int]], width: int) -> int:
    """Where the window of ``width`` characters showing the most different words asked for
    starts (a sliding window over the matches, in order)."""
    best, best_at, j = 0, spans[0][0] if spans else 0, 0
    inside: dict[str, int] = {}
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            word = folded[spans[j][0]:spans[j][1]]
            inside[word] = inside.get(word, 0) + 1
            j += 1
        if len(inside) > best:
            best, best_at = len(inside), start
        word = folded[start:spans[i][1]]
        if word in inside:
            inside[word] -= 1
            if not inside[word]:
                del inside[word]
    return best_at


def _word_parts(word: str, start: int) -> Iterator[tuple[int, str]]:
    part, part_start = "", start
    for n, c in enumerate(word):
        if c.isalnum() or c == "_":
            if not part:
                part_start = start + n
            part += c
        elif part:
            yield part_start, part
            part = ""
    if part:
        yield part_start, part


@dataclass(frozen=True)
class IndexedDossier:
    key: str
    record: Record
    record_sha256: str
    version: str | None
    page_text: dict[int, str]


_TABLES = """
CREATE TABLE IF NOT EXISTS dossiers (
  key TEXT PRIMARY KEY, dossier_id TEXT, commune TEXT, commune_name TEXT, title TEXT, file_code TEXT,
  maintenance TEXT, mode TEXT, flags INTEGER, record_sha256 TEXT, version TEXT);
CREATE TABLE IF NOT EXISTS documents (
  key TEXT, ordinal INTEGER, doc_code TEXT, type_code TEXT, type_name TEXT, type_folded TEXT,
  issued TEXT, signer TEXT, signer_folded TEXT, first_page INTEGER, last_page INTEGER,
  needs_review INTEGER, PRIMARY KEY (key, ordinal));
CREATE INDEX IF NOT EXISTS documents_issued ON documents (issued);
CREATE INDEX IF NOT EXISTS dossiers_commune ON dossiers (commune);
"""


class _Index:
    """What both backends share: the rows, the filters, the queue. SQL is written with ``?``."""

    placeholder = "?"

    def _sql(self, text: str) -> str:
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: list[tuple]) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _put_pages(self, key: str, rows: list[tuple[str, int, int | None, str]]) -> None:
        raise NotImplementedError

    def _delete_pages(self, key: str) -> None:
        raise NotImplementedError

    def _match(self, terms: list[str]) -> tuple[str, str, list[Any]]:
        """(the FROM part joining the page rows to the full-text match, the rank, parameters)"""
        raise NotImplementedError

    def indexed(self) -> dict[str, str]:
        """key → the SHA-256 of the record.json version indexed."""
        return {k: sha for k, sha in self._execute("SELECT key, record_sha256 FROM dossiers")}

    def put(self, item: IndexedDossier) -> None:
        """Index a dossier (its pages, documents and record), replacing what was there."""
        rec, key = item.record, item.key
        d = rec.dossier
        flags = sum(len(doc.needs_review) for doc in rec.documents) + (d.maintenance is None) + (d.mode is None)
        self.remove(key, commit=False)
        self._execute(
            self._sql("INSERT INTO dossiers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            (key, rec.dossier_id, d.commune.code if d.commune else "", d.commune.name if d.commune else "",
             d.title, d.file_code, d.maintenance, d.mode, flags, item.record_sha256, item.version),
        )
        docs = []
        for doc in rec.documents:
            signer = doc.signer.full_name
            docs.append((
                key, doc.doc_ordinal, doc.doc_code, doc.type_code, doc.type_name,
                " ".join(index_words(" ".join(filter(None, [doc.type_code, doc.type_name])))),
                doc.issued_date.isoformat() if doc.issued_date else None, signer,
                " ".join(index_words(signer or "")), doc.pages[0], doc.pages[1], len(doc.needs_review),
            ))
        if docs:
            self._executemany(self._sql("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), docs)
        rows = []
        for number, text in sorted(item.page_text.items()):
            ordinal = next((doc.doc_ordinal for doc in rec.documents
                            if doc.pages[0] <= number <= doc.pages[1]), None)
            rows.append((key, number, ordinal, nfc(text)))
        self._put_pages(key, rows)
        self._commit()

    def remove(self, key: str, *, commit: bool = True) -> None:
        self._delete_pages(key)
        self._execute(self._sql("DELETE FROM documents WHERE key = ?"), (key,))
        self._execute(self._sql("DELETE FROM dossiers WHERE key = ?"), (key,))
        if commit:
            self._commit()

    def search(self, query: Query) -> list[Hit]:
        terms = query.terms
        where, params = self._filters(query)
        columns = ("p.key, p.page, p.ordinal, doc.doc_code, d.title, d.commune, doc.type_name, doc.issued, "
                   "doc.signer, COALESCE(doc.needs_review, 0), p.text")
        if terms:
            source, rank, match_params = self._match(terms)
            sql = (f"SELECT {columns} FROM {source} JOIN dossiers d ON d.key = p.key "
                   "LEFT JOIN documents doc ON doc.key = p.key AND doc.ordinal = p.ordinal "
                   f"WHERE {' AND '.join(where) or 'TRUE'} ORDER BY {rank}, p.key, p.page LIMIT ?")
            params = [*match_params, *params, query.limit]
        else:  # filters alone: each document's first page
            sql = (f"SELECT {columns} FROM documents doc JOIN dossiers d ON d.key = doc.key "
                   "JOIN pages p ON p.key = doc.key AND p.page = doc.first_page "
                   f"WHERE {' AND '.join(where) or 'TRUE'} ORDER BY doc.issued DESC, p.key LIMIT ?")
            params = [*params, query.limit]
        hits = []
        for row in self._execute(self._sql(sql), params):
            key, page, ordinal, doc_code, title, commune, type_name, issued, signer, review, text = row
            hits.append(Hit(key, page, ordinal, doc_code, title, commune, type_name,
                            dt.date.fromisoformat(issued) if issued else None, signer, bool(review),
                            snippet(text, terms)))
        return hits

    def _filters(self, q: Query) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if q.commune:
            where.append("d.commune = ?")
            params.append(q.commune)
        if q.type:
            where.append("(' ' || doc.type_folded || ' ') LIKE ?")
            params.append(f"% {' '.join(index_words(q.type))} %")
        if q.date_from:
            where.append("doc.issued >= ?")
            params.append(q.date_from.isoformat())
        if q.date_to:
            where.append("doc.issued <= ?")
            params.append(q.date_to.isoformat())
        if q.signer:
            where.append("(' ' || doc.signer_folded || ' ') LIKE ?")
            params.append(f"% {' '.join(index_words(q.signer))}%")
        if q.needs_review is not None:
            where.append("COALESCE(doc.needs_review, 0) > 0" if q.needs_review else "COALESCE(doc.needs_review, 0) = 0")
        return where, params

    def queue(self, commune: str | None = None) -> list[QueueItem]:
        """Dossiers with something to review, of one commune or all."""
        sql = "SELECT key, commune, title, file_code, flags, version FROM dossiers WHERE flags > 0"
        params: list[Any] = []
        if commune:
            sql += " AND commune = ?"
            params.append(commune)
        rows = self._execute(self._sql(sql + " ORDER BY commune, key"), params)
        return [QueueItem(*row) for row in rows]

    def communes(self) -> list[tuple[str, str, int, int]]:
        """(code, name, dossiers, dossiers to review) of each commune in the index."""
        rows = self._execute("SELECT commune, MAX(commune_name), COUNT(*), SUM(CASE WHEN flags > 0 THEN 1 ELSE 0 END) "
                             "FROM dossiers GROUP BY commune ORDER BY commune")
        return [(c, n, int(total), int(todo or 0)) for c, n, total, todo in rows]

    def close(self) -> None:
        raise NotImplementedError


class SqliteIndex(_Index):
    """The embedded index: one SQLite file, FTS5 over the folded text."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One connection used from the web app's worker threads, one at a time.
            self.db = sqlite3.connect(self.path, check_same_thread=False)
            self.db.executescript(
                _TABLES
                + "CREATE TABLE IF NOT EXISTS pages (id INTEGER PRIMARY KEY, key TEXT, page INTEGER, "
                "ordinal INTEGER, text TEXT);"
                "CREATE INDEX IF NOT EXISTS pages_key ON pages (key, page);"
                "CREATE VIRTUAL TABLE IF NOT EXISTS pages_fts USING fts5(folded, tokenize='unicode61');"
                "PRAGMA journal_mode = WAL;"
            )
        except sqlite3.Error as e:
            raise SearchError(f"the search index cannot be opened: {e}",
                              f"không mở được chỉ mục tìm kiếm: {e}", self.path) from None

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.db.execute(sql, params).fetchall()

    def _executemany(self, sql: str, rows: list[tuple]) -> None:
        self.db.executemany(sql, rows)

    def _commit(self) -> None:
        self.db.commit()

    def _delete_pages(self, key: str) -> None:
        self.db.execute("DELETE FROM pages_fts WHERE rowid IN (SELECT id FROM pages WHERE key = ?)", (key,))
        self.db.execute("DELETE FROM pages WHERE key = ?", (key,))

    def _put_pages(self, key: str, rows: list[tuple[str, int, int | None, str]]) -> None:
        for row in rows:
            cur = self.db.execute("INSERT INTO pages (key, page, ordinal, text) VALUES (?, ?, ?, ?)", row)
            self.db.execute("INSERT INTO pages_fts (rowid, folded) VALUES (?, ?)",
                            (cur.lastrowid, " ".join(index_words(row[3]))))

    def _match(self, terms: list[str]) -> tuple[str, str, list[Any]]:
        match = " ".join(f'"{t}"' for t in terms)  # every word, each a quoted string
        return "pages_fts JOIN pages p ON p.id = pages_fts.rowid AND pages_fts MATCH ?", "bm25(pages_fts)", [match]

    def close(self) -> None:
        self.db.close()


class PostgresIndex(_Index):
    """The province-scale index: PostgreSQL full-text search, ``unaccent`` folding the words.

    Its text search configuration ``sohoa_vi`` runs every word through ``unaccent`` then
    ``simple`` (no stemming: Vietnamese syllables are words); ``unaccent``'s rules take
    off every Vietnamese mark and map đ to d, so both tone placements match alike.
    """

    placeholder = "%s"

    def __init__(self, url: str):
        import psycopg

        try:
            self.db = psycopg.connect(url, autocommit=False)
            with self.db.cursor() as cur:
                cur.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
                cur.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'sohoa_vi'")
                if cur.fetchone() is None:
                    cur.execute("CREATE TEXT SEARCH CONFIGURATION sohoa_vi (COPY = simple)")
                    cur.execute("ALTER TEXT SEARCH CONFIGURATION sohoa_vi ALTER MAPPING FOR "
                                "hword, hword_part, word WITH unaccent, simple")
                for statement in filter(str.strip, _TABLES.split(";")):
                    cur.execute(statement)
                cur.execute(
                    "CREATE TABLE IF NOT EXISTS pages (id BIGSERIAL PRIMARY KEY, key TEXT, page INTEGER, "
                    "ordinal INTEGER, text TEXT, words TSVECTOR GENERATED ALWAYS AS "
                    "(to_tsvector('sohoa_vi'::regconfig, text)) STORED)"
                )
                cur.execute("CREATE INDEX IF NOT EXISTS pages_key ON pages (key, page)")
                cur.execute("CREATE INDEX IF NOT EXISTS pages_words ON pages USING GIN (words)")
            self.db.commit()
        except psycopg.Error as e:
            raise SearchError(f"the PostgreSQL search index cannot be opened: {e}",
                              f"không mở được chỉ mục tìm kiếm PostgreSQL: {e}") from None

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.db.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def _executemany(self, sql: str, rows: list[tuple]) -> None:
        with self.db.cursor() as cur:
            cur.executemany(sql, rows)

    def _commit(self) -> None:
        self.db.commit()

    def _delete_pages(self, key: str) -> None:
        self._execute("DELETE FROM pages WHERE key = %s", (key,))

    def _put_pages(self, key: str, rows: list[tuple[str, int, int | None, str]]) -> None:
        if rows:
            self._executemany("INSERT INTO pages (key, page, ordinal, text) VALUES (%s, %s, %s, %s)", rows)

    def _match(self, terms: list[str]) -> tuple[str, str, list[Any]]:
        # The words are folded in Python already (as in the embedded index); unaccent and
        # simple leave such words as they are.
        query = " & ".join(terms)
        return ("pages p JOIN to_tsquery('sohoa_vi'::regconfig, ?) q ON p.words @@ q",
                "ts_rank(p.words, q) DESC", [query])

    def close(self) -> None:
        self.db.close()


def open_index(path: Path | str | None = None, *, database_url: str | None = None) -> _Index:
    """The PostgreSQL index when a database URL is given, else the embedded SQLite file."""
    if database_url:
        return PostgresIndex(database_url)
    if path is None:
        raise SearchError("no search index configured", "chưa cấu hình chỉ mục tìm kiếm")
    return SqliteIndex(path)


Index = _Index
