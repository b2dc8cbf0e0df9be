"""Watch folders: what a clerk dropped, when it is complete, and where it ends up.

A commune's watch folder is its inbox: every top-level entry (a folder of pages or
one file) is a dossier. sohoa keeps three folders of its own beside them::

    processing/<claim>/<dossier>   taken; claim.json says by whom and which run
    done/<claim>/<dossier>         archived; receipt.json has the keys and checksums
    failed/<claim>/<dossier>       not archived; reason.txt says why, in Vietnamese and English

A dossier is taken only when it is complete (the stability rule of Paperless-ngx:
no change for ``stable_seconds`` *and* the same size and mtime when looked at
again), by one atomic rename, so two watchers never take the same one. Nothing is
ever deleted: a dossier only moves, and only to ``done/`` once its archive copy is
committed and verified.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import json
import os
import socket
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.core.record import sha256_file

PROCESSING, DONE, FAILED = "processing", "done", "failed"
OWN_FOLDERS = frozenset({PROCESSING, DONE, FAILED})
CLAIM_FILE, RECEIPT_FILE, REASON_FILE = "claim.json", "receipt.json", "reason.txt"

# What scanners, desktops and copy programs leave behind: never a page.
JUNK_PATTERNS = (
    ".*", "Thumbs.db", "ehthumbs.db", "desktop.ini", "~$*", "*~", "*.tmp", "*.temp", "*.part",
    "*.partial", "*.crdownload", "*.download", "*.swp", "__MACOSX", "$RECYCLE.BIN", "*.lnk",
)
# Network file systems on which inotify sees nothing of what other machines write.
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "fuse.sshfs", "fuse.rclone",
     "fuse.s3fs", "davfs", "fuse.davfs2", "afs", "ceph", "glusterfs", "fuse.glusterfs", "virtiofs"}
)


def is_junk(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(name.lower(), p.lower())
               for p in JUNK_PATTERNS)


@dataclass(frozen=True)
class Snapshot:
    """What a dossier looks like now: its files, their sizes and newest mtime."""

    files: int
    bytes: int
    newest_mtime_ns: int


def snapshot(path: Path) -> Snapshot | None:
    """None when it vanished while being looked at (moved by someone else)."""
    try:
        entries = [path] if path.is_file() else [p for _, p in dossier_files(path)]
        stats = [p.stat() for p in entries]
        if path.is_dir():
            stats.append(path.stat())  # a file added or removed touches the folder
    except FileNotFoundError:
        return None
    return Snapshot(
        len(entries), sum(s.st_size for s in stats if not _is_dir(s)),
        max((s.st_mtime_ns for s in stats), default=0),
    )


def _is_dir(st: os.stat_result) -> bool:
    import stat

    return stat.S_ISDIR(st.st_mode)


def dossier_files(path: Path) -> list[tuple[str, Path]]:
    """(relative name, path) of every file of a dossier, junk left out, in a stable order.
    The name includes the dossier's own folder name: ``ho-so-01/trang-1.jpg``."""
    if path.is_file():
        return [] if is_junk(path.name) else [(path.name, path)]
    out: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not is_junk(d))
        for name in sorted(files):
            if not is_junk(name):
                full = Path(root) / name
                out.append((unicodedata.normalize("NFC", full.relative_to(path.parent).as_posix()), full))
    return out


def digest(files: Iterable[tuple[str, Path]]) -> str:
    """One SHA-256 over a dossier's contents and names within it (not its own name): the
    same scans dropped twice, even renamed, have the same digest."""
    h = hashlib.sha256()
    for name, path in sorted(files):
        inner = name.split("/", 1)[1] if "/" in name else ""
        h.update(inner.encode("utf-8") + b"\0" + sha256_file(path).encode() + b"\n")
    return h.hexdigest()



class StabilityTracker:
    """Decides when a dossier is complete: no event and no change in its snapshot for
    ``stable_seconds``. Events only make it look sooner; a snapshot is the proof."""

    def __init__(self, stable_seconds: float, clock=time.monotonic):
        self.stable_seconds = stable_seconds
        self.clock = clock
        self._seen: dict[Path, tuple[Snapshot | None, float]] = {}

    def touched(self, path: Path) -> None:
        """A file event under ``path``: its quiet period starts again."""
        snap, _ = self._seen.get(path, (None, 0.0))
        self._seen[path] = (snap, self.clock())

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
                self._seen[path] = (snap, now)
                continue
            if snap is not None and snap.files and now - before[1] >= self.stable_seconds:
                out.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return out

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)


@dataclass
class Claim:
    """A dossier taken from a watch folder; ``claim.json`` in its processing folder."""

    commune: str
    claim_id: str
    name: str  # the dossier's own file or folder name
    digest: str
    files: list[tuple[str, int]]  # (relative name, bytes)
    claimed_at: str
    host: str
    flow_run_id: str | None = None
    runs: list[str] = field(default_factory=list)  # every run started for it, oldest first


class WatchFolder:
    """One commune's watch folder."""

    def __init__(self, root: Path, commune: str):
        self.root = Path(root)
        self.commune = commune

    def ensure(self) -> None:
        """Create the folder and sohoa's own sub-folders (never anything else)."""
        for sub in OWN_FOLDERS:
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def inbox(self) -> list[Path]:
        """What clerks dropped and sohoa has not taken."""
        try:
            entries = list(self.root.iterdir())
        except FileNotFoundError:
            return []
        return sorted(p for p in entries if p.name not in OWN_FOLDERS and not is_junk(p.name))

    def item_of(self, path: Path) -> Path | None:
        """The inbox entry that a changed path belongs to, if any."""
        try:
            rel = Path(path).relative_to(self.root)
        except ValueError:
            return None
        if not rel.parts or rel.parts[0] in OWN_FOLDERS or is_junk(rel.parts[0]):
            return None
        return self.root / rel.parts[0]

    # -- claiming ------------------------------------------------------------------------
    def claim(self, item: Path) -> Claim | None:
        """Take ``item`` into ``processing/`` by one atomic rename. None: someone else took it
        first, or it is empty of anything but junk (left where it is)."""
        files = dossier_files(item)
        if not files:
            return None
        name = unicodedata.normalize("NFC", item.name)
        processing = self.root / PROCESSING
        processing.mkdir(exist_ok=True)
        claim_dir = _new_folder(processing, _claim_id(name))
        try:
            os.rename(item, claim_dir / item.name)  # the claim: atomic, on the same file system
        except FileNotFoundError:
            claim_dir.rmdir()  # another watcher was faster
            return None
        moved = claim_dir / item.name
        files = dossier_files(moved)
        claim = Claim(
            commune=self.commune, claim_id=claim_dir.name, name=name, digest=digest(files),
            files=[(n, p.stat().st_size) for n, p in files],
            claimed_at=_now(), host=socket.gethostname(),
        )
        self.save(claim)
        return claim

    def save(self, claim: Claim) -> None:
        path = self.root / PROCESSING / claim.claim_id / CLAIM_FILE
        _write_atomic(path, json.dumps(asdict(claim), ensure_ascii=False, indent=2) + "\n")

    def claims(self) -> list[Claim]:
        """Every dossier in ``processing/`` (after a restart: what to pick up again)."""
        out = []
        for folder in sorted((self.root / PROCESSING).glob("*")):
            data = _read_json(folder / CLAIM_FILE)
            if data is not None:
                data["files"] = [tuple(f) for f in data.get("files", [])]
                out.append(Claim(**data))
        return out

    def dossier_path(self, claim: Claim) -> Path:
        return self.root / PROCESSING / claim.claim_id / claim.name

    # -- the end of a dossier --------------------------------------------------------------
    def finish_done(self, claim: Claim, receipt: dict) -> Path:
        """Move to ``done/`` with its receipt. Call only once the archive copy is verified."""
        return self._finish(claim, DONE, RECEIPT_FILE,
                            json.dumps(receipt, ensure_ascii=False, indent=2) + "\n")

    def finish_failed(self, claim: Claim, reason_vi: str, reason_en: str, detail: str = "") -> Path:
        text = (
            f"Hồ sơ: {claim.name}\nLý do: {reason_vi}\n\nDossier: {claim.name}\nReason: {reason_en}\n"
            f"\nThời điểm / When: {_now()}\n"
            "Hãy sửa hồ sơ rồi thả lại vào thư mục, hoặc báo cho người vận hành.\n"
            "Fix the dossier and drop it into the folder again, or tell the operator.\n"
        )
        if detail:
            text += f"\n{detail}\n"
        return self._finish(claim, FAILED, REASON_FILE, text)

    def _finish(self, claim: Claim, where: str, note_name: str, note: str) -> Path:
        src = self.root / PROCESSING / claim.claim_id
        _write_atomic(src / note_name, note)
        (self.root / where).mkdir(exist_ok=True)
        dest = _new_folder(self.root / where, claim.claim_id, create=False)
        os.rename(src, dest)
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


def _claim_id(name: str) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
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
        elif not candidate.exists():
            return candidate
        n += 1


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _now() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
