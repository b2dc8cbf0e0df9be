"""Watch folders: what a clerk dropped, when it is complete, and where it ends up.

A commune's watch folder is its inbox: every top-level entry (a folder of pages or
one file) is a dossier; a folder that holds only folders of pages is a batch, each of
its folders a dossier of its own. sohoa keeps three folders of its own beside them::

    processing/<claim>/<dossier>   taken
    done/<claim>/<dossier>         archived; KET-QUA.txt (for the clerk) and receipt.json
    failed/<claim>/<dossier>       not archived; reason.txt says why, Vietnamese first

What the watcher knows of each claim (its digest, files, runs) is kept in its own
state folder (``intake.state_dir``), outside the clerks' share, and checked when read
back: a tampered or malformed state file is set aside and the claim rebuilt from
``processing/``. A dossier in ``processing/`` without a state file (the watcher
stopped or the disk was full between the move and the write) is taken up again at
the next scan.

A dossier is taken only when it is complete (the stability rule of Paperless-ngx:
no change for ``stable_seconds`` *and* the same size and mtime when looked at
again), by one atomic rename, so two watchers never take the same one. Nothing is
ever deleted: a dossier only moves, and only to ``done/`` once its archive copy is
committed and verified. Links are never followed and special files (pipes, sockets,
devices) never opened; a dossier deeper or larger than the limits is refused whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import socket
import stat
import time
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.ingest.junk import JUNK_PATTERNS, is_junk

log = logging.getLogger("sohoa.intake")

PROCESSING, DONE, FAILED = "processing", "done", "failed"
OWN_FOLDERS = frozenset({PROCESSING, DONE, FAILED})
RECEIPT_FILE, REASON_FILE, RESULT_FILE = "receipt.json", "reason.txt", "KET-QUA.txt"
EARLIER_REASON_FILE = "reason-lan-truoc.txt"  # why it failed before a retry archived it
# What sohoa writes beside a dossier; a folder dragged back from failed/ brings them along.
NOTE_FILES = frozenset({RECEIPT_FILE, REASON_FILE, RESULT_FILE, EARLIER_REASON_FILE, "claim.json"})

MAX_DEPTH = 8  # folders within a dossier
MAX_FILES = 5000  # files in one dossier
ORPHAN_GRACE_SECONDS = 10.0  # a claim folder without state this old was left by a stopped watcher
MAX_STATE_BYTES = 4 << 20
SAFE_CLAIM_ID = re.compile(r"[^\W_][\w.-]{0,200}")

# Network file systems on which inotify sees nothing of what other machines write.
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "fuse.sshfs", "fuse.rclone",
     "fuse.s3fs", "davfs", "fuse.davfs2", "afs", "ceph", "glusterfs", "fuse.glusterfs", "virtiofs"}
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _kind(st: os.stat_result) -> str:
    if stat.S_ISREG(st.st_mode):
        return "file"
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if stat.S_ISLNK(st.st_mode):
        return "link"
    return "special"


_KIND_WORDS = {
    "link": ("liên kết (symlink), không được đi theo", "a link (symlink), never followed"),
    "special": ("tệp đặc biệt (pipe, socket, thiết bị), không được đọc",
                "a special file (pipe, socket, device), never read"),
}


@dataclass
class Scan:
    """What a dossier holds, looked at without following a link or opening a file."""

    files: list[tuple[str, Path]] = field(default_factory=list)  # (NFC name within, path)
    set_aside: list[str] = field(default_factory=list)  # junk: Thumbs.db, .DS_Store…
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, "link" | "special")
    refused: tuple[str, str] | None = None  # (vi, en): the whole dossier cannot be taken
    newest_mtime_ns: int = 0
    bytes: int = 0

    def notes(self) -> list[str]:
        """Each file not taken, and why, Vietnamese first."""
        out = [f"{n}: tệp rác của máy tính, để riêng / computer junk, set aside" for n in self.set_aside]
        out += [f"{n}: {_KIND_WORDS[k][0]} / {_KIND_WORDS[k][1]}" for n, k in self.skipped]
        return out


def scan(path: Path) -> Scan:
    """Walk a dossier by ``lstat`` alone (no link followed, no file opened), with no recursion:
    a dossier deeper than ``MAX_DEPTH`` or with more than ``MAX_FILES`` files is refused whole.
    Raises FileNotFoundError when it vanished."""
    out = Scan()
    top = nfc(path.name)
    st = os.lstat(path)
    kind = _kind(st)
    out.newest_mtime_ns = st.st_mtime_ns
    if kind == "file":
        out.files.append((top, path))
        out.bytes = st.st_size
        return out
    if kind != "dir":
        out.skipped.append((top, kind))
        out.refused = (f"{top} là {_KIND_WORDS[kind][0]}", f"{top} is {_KIND_WORDS[kind][1]}")
        return out
    seen: dict[str, str] = {}
    stack = [(path, top, 0)]
    while stack:
        folder, rel, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except FileNotFoundError:
            raise
        except OSError as e:
            out.refused = (f"không đọc được thư mục {rel} ({e.strerror})", f"folder {rel} cannot be read ({e.strerror})")
            return out
        for entry in entries:
            name = f"{rel}/{nfc(entry.name)}"
            if is_junk(entry.name):
                out.set_aside.append(name)
                continue
            if name in seen:
                out.refused = (
                    f"hai tệp có tên chỉ khác nhau về cách mã hóa dấu tiếng Việt (Unicode NFC/NFD): "
                    f"{name}; hãy đổi tên một tệp rồi thả lại",
                    f"two files whose names differ only in Unicode normalisation (NFC/NFD): {name}; "
                    "rename one and drop the dossier again",
                )
                return out
            seen[name] = entry.name
            try:
                est = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            kind = _kind(est)
            out.newest_mtime_ns = max(out.newest_mtime_ns, est.st_mtime_ns)
            if kind == "dir":
                if depth + 1 > MAX_DEPTH:
                    out.refused = (
                        f"thư mục lồng nhau quá sâu (hơn {MAX_DEPTH} cấp)",
                        f"folders nested too deep (more than {MAX_DEPTH} levels)",
                    )
                    return out
                stack.append((Path(entry.path), name, depth + 1))
            elif kind == "file":
                out.files.append((name, Path(entry.path)))
                out.bytes += est.st_size
                if len(out.files) > MAX_FILES:
                    out.refused = (f"có quá nhiều tệp (hơn {MAX_FILES:,})",
                                   f"too many files (more than {MAX_FILES:,})")
                    return out
            else:
                out.skipped.append((name, kind))
    out.files.sort()
    out.set_aside.sort()
    out.skipped.sort()
    return out


def dossier_files(path: Path) -> list[tuple[str, Path]]:
    """(NFC name, path) of every regular file of a dossier, junk, links and special files left
    out, in a stable order. The name includes the dossier's own name: ``ho-so-01/trang-1.jpg``."""
    try:
        return scan(path).files
    except FileNotFoundError:
        return []


def sha256_regular(path: Path) -> str:
    """The SHA-256 of a regular file, opened without following a link and checked to be one
    after opening: a file swapped for a pipe can never block the watcher."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name}: not a regular file")
        h = hashlib.sha256()
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def digest(files: Iterable[tuple[str, Path]]) -> str:
    """One SHA-256 over a dossier's contents and names within it (not its own name): the
    same scans dropped twice, even renamed, have the same digest."""
    h = hashlib.sha256()
    for name, path in sorted(files):
        inner = name.split("/", 1)[1] if "/" in name else ""
        h.update(inner.encode("utf-8") + b"\0" + sha256_regular(path).encode() + b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """What a dossier looks like now: its files, their sizes and newest mtime."""

    files: int
    bytes: int
    newest_mtime_ns: int
    takeable: bool  # pages, or something to refuse with a reason (not junk alone)


def snapshot(path: Path) -> Snapshot | None:
    """None when it vanished while being looked at (moved by someone else)."""
    try:
        found = scan(path)
    except FileNotFoundError:
        return None
    takeable = bool(found.files or found.refused or found.skipped)
    return Snapshot(len(found.files), found.bytes, found.newest_mtime_ns, takeable)


class StabilityTracker:
    """Decides when a dossier is complete: no event and no change in its snapshot for
    ``stable_seconds``. Events only make it look sooner; a snapshot is the proof."""

    def __init__(self, stable_seconds: float, clock=time.monotonic):
        self.stable_seconds = stable_seconds
        self.clock = clock
        self._seen: dict[Path, tuple[Snapshot | None, float]] = {}
        self._unseen: set[Path] = set()  # events seen, no snapshot taken yet

    def touched(self, path: Path, at: float | None = None) -> None:
        """A file event under ``path`` (``at``: when, on this tracker's clock): its quiet
        period starts again."""
        if path not in self._seen:
            self._unseen.add(path)
        snap, _ = self._seen.get(path, (None, 0.0))
        self._seen[path] = (snap, self.clock() if at is None else at)

    def ready(self, items: Iterable[Path]) -> list[Path]:
        """Of ``items`` (the inbox now), those unchanged for long enough."""
        now = self.clock()
        out = []
        present = set()
        for path in items:
            present.add(path)
            snap = snapshot(path)
            before = self._seen.get(path)
            if before is None or before[0] != snap:
                # Known only from an event so far: quiet since that event, not since now.
                since = before[1] if before is not None and path in self._unseen else now
                self._unseen.discard(path)
                self._seen[path] = (snap, since)
                continue
            if snap is not None and snap.takeable and now - before[1] >= self.stable_seconds:
                out.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
            self._unseen.discard(gone)
        return out

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)
        self._unseen.discard(path)

    def next_due(self) -> float | None:
        """When (on this tracker's clock) the soonest dossier seen may become ready; None
        when none is due later (one past its time and still not ready, such as a folder
        holding only junk, waits for the ordinary ticks)."""
        now = self.clock()
        due = [t + self.stable_seconds for _, t in self._seen.values() if t + self.stable_seconds > now]
        return min(due) if due else None


class InvalidState(ValueError):
    """A claim's state file that cannot be trusted."""


class Claim(BaseModel):
    """A dossier taken from a watch folder; its state file in the watcher's state folder."""

    model_config = ConfigDict(extra="forbid", strict=True)

    commune: str
    claim_id: str
    name: str  # the dossier's own file or folder name (NFC), one path component
    digest: str
    files: list[tuple[str, int]]  # (relative name, bytes)
    claimed_at: str
    host: str
    flow_run_id: str | None = None
    runs: list[str] = Field(default_factory=list, max_length=100)  # every run started, oldest first
    batch: str | None = None  # the batch folder it came from, if any
    notes: list[str] = Field(default_factory=list)  # files set aside or skipped, and why
    refused: tuple[str, str] | None = None  # (vi, en): goes to failed/ without a run

    def shown(self) -> str:
        """The dossier's name as the clerk dropped it: ``lo-thang-9/ho-so-01`` in a batch."""
        return f"{self.batch}/{self.name}" if self.batch else self.name

    @field_validator("name", "batch")
    @classmethod
    def _one_component(cls, v: str | None) -> str | None:
        if v is not None and (v in ("", ".", "..") or "/" in v or "\0" in v or v != nfc(v)):
            raise ValueError("not a single NFC path component")
        return v

    @field_validator("claim_id")
    @classmethod
    def _safe_id(cls, v: str) -> str:
        if not SAFE_CLAIM_ID.fullmatch(v):
            raise ValueError("not a claim id")
        return v

    @field_validator("flow_run_id")
    @classmethod
    def _run_id(cls, v: str | None) -> str | None:
        if v is not None:
            uuid.UUID(v)
        return v

    @field_validator("runs")
    @classmethod
    def _run_ids(cls, v: list[str]) -> list[str]:
        for run in v:
            uuid.UUID(run)
        return v

    @field_validator("digest")
    @classmethod
    def _hex(cls, v: str) -> str:
        if v and not re.fullmatch(r"[0-9a-f]{64}", v):
            raise ValueError("not a SHA-256")
        return v


class WatchFolder:
    """One commune's watch folder, and the watcher's state of its claims (kept elsewhere)."""

    def __init__(self, root: Path, commune: str, state_dir: Path):
        self.root = Path(root)
        self.commune = commune
        self.state = Path(state_dir) / commune
        if _inside(self.state, self.root):
            raise ValueError(f"the intake state folder {self.state} must not be inside the watch folder {self.root}")

    def ensure(self) -> None:
        """Create the folder and sohoa's own sub-folders (never anything else), and the state folder."""
        for sub in OWN_FOLDERS:
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.state.mkdir(parents=True, exist_ok=True, mode=0o700)

    def inbox(self) -> list[Path]:
        """What clerks dropped and sohoa has not taken: each dossier, a batch's folders one by one."""
        out: list[Path] = []
        for entry in _entries(self.root):
            if entry.name in OWN_FOLDERS or is_junk(entry.name):
                continue
            inner = _batch(Path(entry.path)) if _is_real_dir(entry) else None
            out.extend(inner if inner is not None else [Path(entry.path)])
        return sorted(out)

    def item_of(self, path: Path) -> Path | None:
        """The top-level inbox entry that a changed path belongs to, if any."""
        try:
            rel = Path(path).relative_to(self.root)
        except ValueError:
            return None
        if not rel.parts or rel.parts[0] in OWN_FOLDERS or is_junk(rel.parts[0]):
            return None
        return self.root / rel.parts[0]

    # -- claiming ------------------------------------------------------------------------
    def claim(self, item: Path) -> Claim | None:
        """Take ``item`` into ``processing/`` by one atomic rename, under its NFC name. None:
        someone else took it first, or it holds nothing but junk (left where it is)."""
        snap = snapshot(item)
        if snap is None or not snap.takeable:
            return None
        name = nfc(item.name)
        processing = self.root / PROCESSING
        processing.mkdir(exist_ok=True)
        claim_dir = _new_folder(processing, _claim_id(name))
        try:
            os.rename(item, claim_dir / name)  # the claim: atomic, on the same file system
        except FileNotFoundError:
            claim_dir.rmdir()  # another watcher was faster
            return None
        batch = nfc(item.parent.name) if item.parent != self.root else None
        return self._record(claim_dir, name, batch)

    def _record(self, claim_dir: Path, name: str, batch: str | None = None,
                refused: tuple[str, str] | None = None) -> Claim | None:
        """Describe what is in ``claim_dir`` and write its state (created once: None when another
        watcher sharing the state folder wrote it first)."""
        found = scan(claim_dir / name)
        refused = refused or found.refused
        if not refused and not found.files:
            refused = ("không có tệp nào để xử lý", "no file to process")
        claim = Claim(
            commune=self.commune, claim_id=claim_dir.name, name=name,
            digest="" if refused else digest(found.files),
            files=[] if refused else [(n, p.stat().st_size) for n, p in found.files],
            claimed_at=_now(), host=socket.gethostname(), batch=batch, notes=found.notes(),
            refused=refused,
        )
        try:
            self._write_state(claim, create=True)
        except FileExistsError:
            return None
        return claim

    def save(self, claim: Claim) -> None:
        self._write_state(claim, create=False)

    def _state_path(self, claim_id: str) -> Path:
        return self.state / f"{claim_id}.json"

    def _write_state(self, claim: Claim, *, create: bool) -> None:
        text = json.dumps(claim.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        path = self._state_path(claim.claim_id)
        self.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        if create:  # exactly once, even with two watchers sharing the state folder
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())
            except BaseException:
                path.unlink(missing_ok=True)  # a half-written state is no state: rebuilt later
                raise
        else:
            _write_atomic(path, text)

    def _load(self, path: Path, where: str = PROCESSING) -> Claim:
        try:
            if path.lstat().st_size > MAX_STATE_BYTES or not path.is_file() or path.is_symlink():
                raise InvalidState("not a small regular file")
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("files"), list):
                data["files"] = [tuple(f) if isinstance(f, list) else f for f in data["files"]]
            if isinstance(data, dict) and isinstance(data.get("refused"), list):
                data["refused"] = tuple(data["refused"])
            claim = Claim.model_validate(data)
        except (ValueError, UnicodeDecodeError, ValidationError) as e:
            raise InvalidState(str(e).splitlines()[0]) from e
        if claim.claim_id != path.stem or claim.commune != self.commune:
            raise InvalidState("names another claim or another commune")
        dossier = self.root / where / claim.claim_id / claim.name
        try:
            kind = _kind(os.lstat(dossier))
        except FileNotFoundError:
            raise InvalidState(f"names no dossier in its {where} folder") from None
        if kind not in ("file", "dir") and not claim.refused:
            raise InvalidState("names a link or a special file")
        return claim

    def claims(self) -> list[Claim]:
        """Every dossier in ``processing/``, from the state folder (after a restart: what to pick
        up again). A state file that cannot be trusted is set aside (in ``invalid/``) and its
        claim rebuilt; a claim folder without state (a stop or a full disk between the move and
        the write) is taken up again once it is ``ORPHAN_GRACE_SECONDS`` old."""
        processing = self.root / PROCESSING
        folders = {e.name: e for e in _entries(processing) if _is_real_dir(e)}
        states = {p.stem: p for p in _state_files(self.state)}
        out = []
        for claim_id, path in states.items():
            if claim_id not in folders:
                path.unlink(missing_ok=True)  # finished (moved to done/ or failed/) before its state went
                continue
            try:
                out.append(self._load(path))
                continue
            except InvalidState as e:
                log.warning("trạng thái không hợp lệ, dựng lại / invalid claim state rebuilt: %s (%s)", path.name, e)
                self._set_aside(path)
            except OSError as e:
                log.warning("không đọc được trạng thái / claim state unreadable: %s (%s)", path.name, e)
                continue
            adopted = self._adopt(Path(folders[claim_id].path), grace=0)
            if adopted is not None:
                out.append(adopted)
        for claim_id in sorted(set(folders) - set(states)):
            adopted = self._adopt(Path(folders[claim_id].path), grace=ORPHAN_GRACE_SECONDS)
            if adopted is not None:
                out.append(adopted)
        return sorted(out, key=lambda c: c.claim_id)

    def _adopt(self, claim_dir: Path, grace: float) -> Claim | None:
        """A claim folder with no trustworthy state: describe it again from what it holds."""
        if not SAFE_CLAIM_ID.fullmatch(claim_dir.name):
            return None  # not one of ours (made by hand in processing/): left alone
        try:
            if time.time() - claim_dir.lstat().st_mtime < grace:
                return None  # perhaps being claimed right now by another watcher
            inside = [e for e in _entries(claim_dir) if e.name not in NOTE_FILES]
            if not inside:
                if not any(True for _ in _entries(claim_dir)):
                    claim_dir.rmdir()  # the watcher stopped between making the folder and the move
                return None
            first = inside[0]
            name = nfc(first.name)
            if name != first.name:
                os.rename(first.path, claim_dir / name)
            refused = None
            if len(inside) > 1:
                names = ", ".join(sorted(nfc(e.name) for e in inside))
                refused = (f"thư mục đang xử lý chứa nhiều mục: {names}",
                           f"the processing folder holds several entries: {names}")
            claim = self._record(claim_dir, name, refused=refused)
        except (FileNotFoundError, ValidationError):
            return None
        if claim is not None:
            log.warning("nhận lại / taken up again: %s", claim_dir.name)
        return claim

    def _set_aside(self, path: Path) -> None:
        bad = self.state / "invalid"
        bad.mkdir(exist_ok=True)
        try:
            os.replace(path, bad / f"{path.stem}-{time.time_ns()}.json")
        except OSError:
            path.unlink(missing_ok=True)

    def dossier_path(self, claim: Claim) -> Path:
        return self.root / PROCESSING / claim.claim_id / claim.name

    # -- failed, but the operator may still retry its run ----------------------------------
    def remember_failed(self, claim: Claim) -> None:
        """A dossier in ``failed/`` whose run the operator may retry from the Prefect UI."""
        (self.state / FAILED).mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_atomic(self.state / FAILED / f"{claim.claim_id}.json",
                      json.dumps(claim.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")

    def failed_claims(self) -> tuple[list[tuple[Claim, float]], list[str]]:
        """(claim, seconds since it failed) of each dossier still in ``failed/`` that may be
        retried; and the claim ids no longer to follow (dragged back, moved away, or a state
        that cannot be trusted): their staged copies can go."""
        keep, drop = [], []
        for path in _state_files(self.state / FAILED):
            try:
                keep.append((self._load(path, FAILED), time.time() - path.stat().st_mtime))
            except (InvalidState, OSError):
                if SAFE_CLAIM_ID.fullmatch(path.stem):
                    drop.append(path.stem)
                else:
                    path.unlink(missing_ok=True)
        return keep, drop

    def forget_failed(self, claim_id: str) -> None:
        (self.state / FAILED / f"{claim_id}.json").unlink(missing_ok=True)

    # -- the end of a dossier --------------------------------------------------------------
    def finish_done(self, claim: Claim, receipt: dict, result_text: str = "", *,
                    from_failed: bool = False) -> Path:
        """Move to ``done/`` with its receipt (from ``failed/`` when a retried run archived it).
        Call only once the archive copy is verified."""
        notes = {RECEIPT_FILE: json.dumps(receipt, ensure_ascii=False, indent=2) + "\n"}
        if result_text:
            notes[RESULT_FILE] = result_text
        if from_failed:
            src = self.root / FAILED / claim.claim_id
            if (src / REASON_FILE).exists():  # kept, as what happened before the retry
                os.replace(src / REASON_FILE, src / EARLIER_REASON_FILE)
            dest = self._finish(claim, DONE, notes, source=FAILED)
            self.forget_failed(claim.claim_id)
            return dest
        return self._finish(claim, DONE, notes)

    def finish_failed(self, claim: Claim, reason_vi: str, reason_en: str, detail: str = "") -> Path:
        text = (
            f"Hồ sơ: {claim.shown()}\nLý do: {reason_vi}\n"
            f"Thời điểm: {_now()}\n"
            "Hãy sửa hồ sơ rồi thả lại vào thư mục (có thể kéo cả thư mục này về), "
            "hoặc báo cho người vận hành.\n"
        )
        if claim.notes:
            text += "\nTệp không được xử lý:\n" + "".join(f"- {n}\n" for n in claim.notes)
        text += (
            f"\n---\nDossier: {claim.shown()}\nReason: {reason_en}\n"
            "Fix the dossier and drop it into the folder again (this whole folder may be dragged "
            "back), or tell the operator.\n"
        )
        if detail:
            text += f"\n{detail}\n"
        return self._finish(claim, FAILED, {REASON_FILE: text})

    def _finish(self, claim: Claim, where: str, notes: dict[str, str], source: str = PROCESSING) -> Path:
        src = self.root / source / claim.claim_id
        for name, text in notes.items():
            _write_atomic(src / name, text)
        (self.root / where).mkdir(exist_ok=True)
        dest = _new_folder(self.root / where, claim.claim_id, create=False)
        os.rename(src, dest)
        self._state_path(claim.claim_id).unlink(missing_ok=True)
        return dest


def needs_polling(path: Path, setting: str = "auto") -> bool:
    """inotify sees nothing that another machine writes to a network share: poll there."""
    if setting != "auto":
        return setting == "always"
    return filesystem_type(path) in NETWORK_FILESYSTEMS


def filesystem_type(path: Path) -> str:
    """The type of the file system holding ``path`` (from /proc/self/mounts; '' unknown)."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return ""
    target = os.path.realpath(path)
    best, kind = "", ""
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _is_real_dir(entry: os.DirEntry) -> bool:
    return entry.is_dir(follow_symlinks=False)


def _batch(folder: Path) -> list[Path] | None:
    """The dossiers of a batch: a folder that holds only folders (or one dragged back from
    ``failed/``, with sohoa's notes beside the dossier). None: the folder is a dossier itself."""
    entries = [e for e in _entries(folder) if not is_junk(e.name)]
    notes = [e for e in entries if e.name in NOTE_FILES and e.is_file(follow_symlinks=False)]
    rest = [e for e in entries if e not in notes]
    if notes and rest:
        return [Path(e.path) for e in rest]
    if rest and all(_is_real_dir(e) and _holds_files(e.path) for e in rest):
        return [Path(e.path) for e in rest]
    return None if rest else ([] if notes else None)


def _holds_files(folder: str) -> bool:
    """A folder of pages (not a folder of folders): some regular file right inside it."""
    return any(e.is_file(follow_symlinks=False) and not is_junk(e.name) for e in _entries(Path(folder)))


def _state_files(state: Path) -> list[Path]:
    return [Path(e.path) for e in _entries(state) if e.name.endswith(".json") and not e.name.startswith(".")]


def _inside(path: Path, root: Path) -> bool:
    a, b = os.path.realpath(path), os.path.realpath(root)
    return a == b or a.startswith(b.rstrip("/") + "/")


def _claim_id(name: str) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)[:150]
    return f"{stamp}-{safe}"


def _new_folder(parent: Path, name: str, *, create: bool = True) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``… if taken; created (atomically) when asked."""
    n = 1
    while True:
        candidate = parent / (name if n == 1 else f"{name}-{n}")
        if create:
            try:
                candidate.mkdir()
                return candidate
            except FileExistsError:
                pass
        elif not os.path.lexists(candidate):
            return candidate
        n += 1


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)  # never write through a link someone left there
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _now() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


__all__ = ["JUNK_PATTERNS", "Claim", "InvalidState", "Scan", "StabilityTracker", "WatchFolder",
           "dossier_files", "is_junk", "needs_polling", "scan"]
