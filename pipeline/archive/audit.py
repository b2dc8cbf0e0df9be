"""Fixity audit: re-hash archived objects against their manifests, re-verify signatures.

For each dossier folder in scope, the objects readers see now (latest versions)
are compared with the committed ``manifest-sha256.txt``:

* missing   — in the manifest, not in the bucket (deleted, or hidden by a delete marker)
* changed   — its bytes no longer hash to the manifest's SHA-256
* untracked — in the folder but in no manifest (a stray write, or an unfinished upload:
              a folder without ``record.json``)
* signature — a signed PDF whose signature no longer verifies

and compared with the catalogue, the list downstream readers trust:

* missing      — a dossier the catalogue lists whose ``record.json`` (or whole folder) is gone
* changed      — a ``record.json`` that is not the one the catalogue's newest line names
                 (rewritten together with its manifest, it would pass the manifest check)
* uncatalogued — a committed dossier in no catalogue line (archive it again to add it)
* catalogue    — a catalogue day that cannot be read

For a missing or changed object, an older stored version that still matches is
named, so it can be restored.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.archive import catalog
from pipeline.archive.catalog import PREFIX as CATALOG_PREFIX
from pipeline.archive.layout import EXPORTS_PREFIX, MANIFEST, RECORD, is_signed, parse_manifest
from pipeline.archive.s3 import Store, stored_sha256

# (path of a local PDF) → None when its signature verifies, else what is wrong
Verifier = Callable[[Path], "str | None"]


@dataclass
class Finding:
    kind: str  # missing, changed, untracked, signature, uncatalogued, catalogue
    key: str
    detail: str = ""
    restorable_version: str | None = None


@dataclass
class DossierAudit:
    key: str
    committed: bool
    objects: int = 0
    bytes: int = 0
    signatures_verified: int = 0
    unsigned_pdfs: int = 0
    findings: list[Finding] = field(default_factory=list)


@dataclass
class AuditReport:
    bucket: str
    dossiers: list[DossierAudit] = field(default_factory=list)
    signature_check: str = ""  # how signatures were checked, or why not

    @property
    def findings(self) -> list[Finding]:
        return [f for d in self.dossiers for f in d.findings]

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict:
        return {
            "bucket": self.bucket,
            "ok": self.ok,
            "signatureCheck": self.signature_check,
            "dossiers": [asdict(d) for d in self.dossiers],
        }


def audit(
    store: Store,
    *,
    dossier: str | None = None,
    commune: str | None = None,
    verifier: Verifier | None = None,
    signature_check: str = "",
) -> AuditReport:
    """Audit one dossier (its key), one commune (5-digit code), or, with neither, everything."""
    report = AuditReport(store.bucket, signature_check=signature_check)
    if dossier:
        dossier = dossier.rstrip("/") + "/"
    listed, unreadable = _catalogued(store, dossier, commune)
    folders = _folders(store, dossier, commune)
    for key in listed:
        folders.setdefault(key, {})
    for key, objects in sorted(folders.items()):
        result = _audit_folder(store, key, objects, verifier, listed.get(key))
        report.dossiers.append(result)
    if unreadable:
        catalogue = DossierAudit(CATALOG_PREFIX, committed=True)
        catalogue.findings.extend(unreadable)
        report.dossiers.append(catalogue)
    return report


def _catalogued(
    store: Store, dossier: str | None, commune: str | None
) -> tuple[dict[str, catalog.CatalogEntry], list[Finding]]:
    """Each catalogued dossier in scope → its newest line (lines are added in commit order)."""
    newest: dict[str, catalog.CatalogEntry] = {}
    unreadable: list[Finding] = []
    for day in sorted(o["Key"] for o in store.list(CATALOG_PREFIX) if o["Key"].endswith(".ndjson")):
        try:
            entries = catalog.read_key(store, day)
        except ValueError as e:
            unreadable.append(Finding("catalogue", day, f"cannot be read: {type(e).__name__}"))
            continue
        for entry in entries:
            if dossier and entry.key != dossier:
                continue
            if commune and entry.key.split("/")[1:2] != [commune]:
                continue
            newest[entry.key] = entry
    return newest, unreadable


def _folders(store: Store, dossier: str | None, commune: str | None) -> dict[str, dict[str, dict]]:
    """Objects grouped by dossier folder ({province}/{commune}/{year}/{id}/)."""
    if dossier:
        prefixes = [dossier.rstrip("/") + "/"]
    elif commune:
        prefixes = [p + commune + "/" for p in store.prefixes("") if p not in (CATALOG_PREFIX, EXPORTS_PREFIX)]
    else:
        prefixes = [""]
    folders: dict[str, dict[str, dict]] = {}
    for prefix in prefixes:
        for obj in store.list(prefix):
            name = obj["Key"]
            if name.startswith((CATALOG_PREFIX, EXPORTS_PREFIX)):
                continue
            parts = name.split("/")
            folder = "/".join(parts[:4]) + "/" if len(parts) > 4 else name.rsplit("/", 1)[0] + "/"
            folders.setdefault(folder, {})[name] = obj
    if dossier and not folders:
        folders[prefixes[0]] = {}
    return dict(sorted(folders.items()))


def _audit_folder(
    store: Store,
    key: str,
    objects: dict[str, dict],
    verifier: Verifier | None,
    catalogued: catalog.CatalogEntry | None,
) -> DossierAudit:
    result = DossierAudit(key, committed=key + RECORD in objects)
    result.objects = len(objects)
    result.bytes = sum(int(o.get("Size") or 0) for o in objects.values())
    if catalogued is not None and not result.committed:
        gone = "nothing of it is in the bucket" if not objects else "its record.json is gone"
        result.findings.append(
            Finding(
                "missing", key + RECORD,
                f"in the catalogue (committed {catalogued.committed.isoformat()}), but {gone}",
                _restorable(store, key + RECORD, catalogued.record_sha256),
            )
        )
        return result
    if not objects:
        result.findings.append(Finding("missing", key + RECORD, "no such dossier in the bucket"))
        return result
    if catalogued is None and result.committed:
        result.findings.append(
            Finding("uncatalogued", key + RECORD, "committed, but in no catalogue line: archive it again")
        )
    elif catalogued is not None:
        got = store.sha256(key + RECORD)
        if got is not None and got[0] != catalogued.record_sha256:
            result.findings.append(
                Finding(
                    "changed", key + RECORD,
                    f"SHA-256 {got[0]}, the catalogue's newest line {catalogued.record_sha256}",
                    _restorable(store, key + RECORD, catalogued.record_sha256),
                )
            )
    if not result.committed:
        for name in sorted(objects):
            result.findings.append(
                Finding("untracked", name, "no record.json: an unfinished upload (archive it again)")
            )
        return result
    manifest_obj = store.get(key + MANIFEST)
    wanted = (store.head(key + RECORD) or {}).get("Metadata", {}).get("manifest-sha256")
    if manifest_obj is None:
        restorable = _restorable(store, key + MANIFEST, wanted) if wanted else None
        result.findings.append(
            Finding("missing", key + MANIFEST,
                    "the manifest is gone: the other objects cannot be checked until it is restored",
                    restorable)
        )
        return result
    listed = parse_manifest(manifest_obj[0].decode("utf-8"))
    if wanted and hashlib.sha256(manifest_obj[0]).hexdigest() != wanted:
        result.findings.append(
            Finding("changed", key + MANIFEST, "not the manifest record.json was committed with",
                    _restorable(store, key + MANIFEST, wanted))
        )
    for name, sha in sorted(listed.items()):
        full = key + name
        if full not in objects:
            result.findings.append(
                Finding("missing", full, f"expected SHA-256 {sha}", _restorable(store, full, sha))
            )
            continue
        got = store.sha256(full)
        if got is None:
            result.findings.append(Finding("missing", full, "listed, but could not be read"))
        elif got[0] != sha:
            result.findings.append(
                Finding("changed", full, f"SHA-256 {got[0]}, manifest {sha}", _restorable(store, full, sha))
            )
        elif verifier is not None and "/" not in name and name.lower().endswith(".pdf"):
            _check_signature(store, full, verifier, result)
    for name in sorted(objects):
        if name[len(key):] not in listed and name != key + MANIFEST:
            result.findings.append(Finding("untracked", name, "in no manifest"))
    return result


def _check_signature(store: Store, key: str, verifier: Verifier, result: DossierAudit) -> None:
    with tempfile.TemporaryDirectory(prefix="sohoa-audit-") as tmp:
        path = Path(tmp) / "document.pdf"
        store.download(key, path)
        if not is_signed(path):
            result.unsigned_pdfs += 1
            return
        problem = verifier(path)
    if problem:
        result.findings.append(Finding("signature", key, problem))
    else:
        result.signatures_verified += 1


def _restorable(store: Store, key: str, sha: str) -> str | None:
    """An older stored version whose bytes still match the manifest."""
    for version in store.versions(key):
        head = store.head(key, version["VersionId"])
        if head is not None and stored_sha256(head) == sha:
            got = store.sha256(key, version["VersionId"])
            if got is not None and got[0] == sha:
                return version["VersionId"]
    return None
