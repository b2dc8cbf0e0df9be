"""One archived dossier → one E-ARK SIP 2.1 package in a BagIt bag, zipped, checked, handed over.

Layout of ``<OBJID>.zip`` (``OBJID`` = ``<dossierId>-<first 8 hex of record.json's SHA-256>``,
one per committed version of a dossier)::

    <OBJID>/                          the BagIt bag (RFC 8493, SHA-256 manifests)
        bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
        data/<OBJID>/                 the E-ARK package
            METS.xml
            metadata/descriptive/     DC.xml (the dossier), DC-<docCode>.xml, record.json
            metadata/preservation/    premis.xml
            representations/rep1/     METS.xml, data/<docCode>.pdf   signed PDF/A, one per document
            representations/rep2/     METS.xml, data/<scan>          the original scans
            representations/rep3/     METS.xml, data/0001.txt, 0001.hocr   OCR text
            schemas/                  the XSDs the XML files use
            documentation/README.txt  what this package is, in Vietnamese and English

Nothing is handed over unless the METS, PREMIS and Dublin Core files are valid against the
schemas, the bag is valid, and every payload file from the archive carries in the bag's
manifest the SHA-256 the archive's manifest gives it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.archive import EXPORTS_PREFIX, RECORD, Store, catalog
from pipeline.core.errors import ExportInvalidError, StorageError
from pipeline.core.version import __version__
from pipeline.export import dublin_core, premis, validate
from pipeline.export.fetch import ArchivedDossier, ArchivedFile, fetch_dossier, normalise_key
from pipeline.export.mets import Agency, Metadata, PackageFile, package_mets, representation_mets

log = logging.getLogger("sohoa.export")

REPRESENTATIONS = {
    "rep1": "PDF/A-2b văn bản đã ký số / signed PDF/A-2b documents",
    "rep2": "bản quét gốc / original scans",
    "rep3": "văn bản nhận dạng (OCR) và hOCR / OCR text and hOCR",
}
_MIMETYPES = {
    ".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".tif": "image/tiff", ".tiff": "image/tiff", ".txt": "text/plain", ".hocr": "text/html",
    ".xml": "text/xml", ".xsd": "application/xml", ".json": "application/json", ".md": "text/markdown",
}
_FORMAT_NAMES = {
    "application/pdf": "PDF/A-2b (ISO 19005-2, level B)", "image/jpeg": "JPEG (JFIF)",
    "image/png": "PNG", "image/tiff": "TIFF", "text/plain": "Plain text, UTF-8 (NFC)",
    "text/html": "hOCR 1.2 (HTML)",
}
_SCHEMA_FILES = (
    "mets.xsd", "xlink.xsd", "xml.xsd", "DILCISExtensionMETS.xsd", "DILCISExtensionSIPMETS.xsd",
    "premis.xsd", "dc.xsd", "dcterms.xsd", "dcmitype.xsd", "sohoa-dc.xsd", "SOURCES.md",
)
# bagit-python's make_bag changes the working directory while it runs: one bag at a time.
_BAGGING = threading.Lock()


@dataclass
class ExportResult:
    key: str  # the dossier's folder in the archive
    objid: str
    location: str  # the .zip written: a local path, or s3://bucket/exports/…
    bytes: int
    sha256: str  # of the .zip
    files: int  # payload files in the bag
    record_version_id: str | None
    seconds: float = 0.0


def select(store: Store, commune: str, since: dt.date | None = None) -> list[tuple[str, str | None]]:
    """The newest committed version of each dossier of ``commune`` committed on or after
    ``since`` (UTC day), from the catalogue: (key, version id of its record.json)."""
    newest: dict[str, str | None] = {}
    for entry in catalog.iter_entries(store, since):
        if entry.commune.code == commune and (since is None or entry.committed.date() >= since):
            newest[entry.key] = entry.record_version_id  # oldest first: the last one wins
    return sorted(newest.items())


def export_dossier(
    store: Store,
    key: str,
    *,
    output_dir: Path | None = None,
    to_bucket: bool = False,
    record_version_id: str | None = None,
    now: dt.datetime | None = None,
    work_dir: Path | None = None,
) -> ExportResult:
    """Export one committed dossier as ``<OBJID>.zip`` into ``output_dir``, or under
    ``exports/`` in the archive's bucket (``to_bucket``). The archived objects are only read."""
    if (output_dir is None) == (not to_bucket):
        raise ValueError("give exactly one of output_dir and to_bucket")
    started = time.perf_counter()
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    key = normalise_key(key)
    if output_dir is not None:
        output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sohoa-sip-", dir=work_dir or output_dir) as tmp:
        work = Path(tmp)
        dossier = fetch_dossier(store, key, work / "archive", record_version_id=record_version_id)
        objid, bag = build_bag(dossier, work / "bag", bucket=store.bucket, now=now)
        archive_zip = work / f"{objid}.zip"
        write_zip(bag, objid, archive_zip)
        sha = _sha256(archive_zip)
        size = archive_zip.stat().st_size
        files = sum(1 for p in (bag / "data").rglob("*") if p.is_file())
        if to_bucket:
            location = _upload(store, f"{EXPORTS_PREFIX}{key}{objid}.zip", archive_zip, sha)
        else:
            assert output_dir is not None
            final = output_dir / f"{objid}.zip"
            os.replace(archive_zip, final)
            location = str(final)
    result = ExportResult(key, objid, location, size, sha, files, dossier.record_file.version_id,
                          round(time.perf_counter() - started, 3))
    log.info("%s → %s (%d files, %d bytes)", key, location, files, size)
    return result


def export_many(
    store: Store,
    selection: Iterable[tuple[str, str | None]],
    *,
    output_dir: Path | None = None,
    to_bucket: bool = False,
    now: dt.datetime | None = None,
    jobs: int = 1,
) -> Iterator[ExportResult]:
    """Export each (key, record version), in order; the first refusal stops the batch.
    ``jobs`` > 1: that many dossiers in hand at once (one downloads while another is bagged)."""
    from concurrent.futures import ThreadPoolExecutor

    validate.warm_up()

    def one(item: tuple[str, str | None]) -> ExportResult:
        return export_dossier(store, item[0], output_dir=output_dir, to_bucket=to_bucket,
                              record_version_id=item[1], now=now)

    with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="sohoa-sip") as pool:
        yield from pool.map(one, selection)


def package_id(dossier: ArchivedDossier) -> str:
    return f"{dossier.record.dossier_id}-{dossier.record_file.sha256[:8]}"


def build_bag(dossier: ArchivedDossier, bag: Path, *, bucket: str, now: dt.datetime) -> tuple[str, Path]:
    """The E-ARK package of ``dossier`` in a BagIt bag at ``bag``, validated; the downloaded
    files are moved into it. Returns (OBJID, the bag's folder)."""
    import bagit

    objid = package_id(dossier)
    ip = bag / objid
    expected = _lay_out(dossier, ip)
    _write_metadata(dossier, ip, objid, bucket=bucket, now=now)
    problems = [p for path, label in _xml_files(ip, objid) for p in validate.xml_problems(path, label)]
    if problems:
        raise _invalid(dossier.key, problems)
    agency = converting_agency(dossier.record)
    info = {
        "Source-Organization": agency.name,
        "External-Identifier": objid,
        "External-Description": f"E-ARK SIP: {dossier.record.dossier.title} ({dossier.key})",
        "Bag-Software-Agent": f"sohoa {__version__} (bagit-python {bagit.VERSION})",
    }
    with _BAGGING:
        made = bagit.make_bag(str(bag), info, processes=1, checksums=["sha256"])
    problems = validate.bag_problems(bag, {f"{objid}/{path}": sha for path, sha in expected.items()}, made)
    if problems:
        raise _invalid(dossier.key, problems)
    return objid, bag


def converting_agency(rec) -> Agency:
    """The agency whose certificate signed the documents; unsigned, the commune."""
    for out in rec.outputs:
        if out.signature is not None:
            s = out.signature
            return Agency(s.agency or s.signer, f"certificate SHA-256 {s.certificate_sha256}")
    commune = rec.dossier.commune
    if commune is not None:
        return Agency(f"{commune.name}, {commune.province_name}", f"mã xã {commune.code}")
    return Agency("sohoa", None)


def write_zip(bag: Path, root_name: str, destination: Path) -> None:
    """The bag as one .zip whose single root folder is ``root_name``; stored, not compressed
    (scans and PDFs are compressed already), bagit.txt first."""
    files = sorted((p for p in bag.rglob("*") if p.is_file()), key=lambda p: (p.name != "bagit.txt", str(p)))
    part = destination.with_name(destination.name + ".part")
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        for path in files:
            z.write(path, f"{root_name}/{path.relative_to(bag).as_posix()}")
    os.replace(part, destination)


# -- the package's content --------------------------------------------------------------


def _lay_out(dossier: ArchivedDossier, ip: Path) -> dict[str, str]:
    """Move the downloaded files to their places in the package; returns each one's path in
    the package → the SHA-256 the archive gives it."""
    pdf_names = {out.file for out in dossier.record.outputs}
    expected: dict[str, str] = {}
    placed: list[tuple[ArchivedFile, str]] = [(dossier.record_file, f"metadata/descriptive/{RECORD}")]
    placed += [(f, _package_path(f.name, pdf_names)) for f in dossier.files]
    for f, path in placed:
        target = ip / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(f.path, target)
        expected[path] = f.sha256
    return expected


def _package_path(name: str, pdf_names: set[str]) -> str:
    if name.startswith("source/"):
        return "representations/rep2/data/" + name.removeprefix("source/")
    if name.startswith("text/"):
        return "representations/rep3/data/" + name.removeprefix("text/")
    if name in pdf_names or ("/" not in name and name.lower().endswith(".pdf")):
        return "representations/rep1/data/" + name
    return "metadata/other/archive/" + name  # anything a later sohoa adds: kept, not lost


def _write_metadata(dossier: ArchivedDossier, ip: Path, objid: str, *, bucket: str, now: dt.datetime) -> None:
    rec = dossier.record
    agency = converting_agency(rec)
    by_archive_name = {
        f"metadata/descriptive/{RECORD}": dossier.record_file,
        **{_package_path(f.name, {o.file for o in rec.outputs}): f for f in dossier.files},
    }

    def described(path: str) -> PackageFile:
        """A file already in the package: its checksum from the archive when it came from there."""
        local = ip / path
        came = by_archive_name.get(path)
        if came is not None:
            return PackageFile(path, local, came.sha256, came.size, _mimetype(path), came.stored, came.name)
        return PackageFile(path, local, _sha256(local), local.stat().st_size, _mimetype(path), now)

    def write(path: str, data: bytes) -> PackageFile:
        local = ip / path
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        return PackageFile(path, local, hashlib.sha256(data).hexdigest(), len(data), _mimetype(path), now)

    reps = []
    for name, label in REPRESENTATIONS.items():
        folder = ip / "representations" / name / "data"
        paths = sorted(p.relative_to(ip).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        if paths:
            reps.append(premis.Representation(name, label, [described(p) for p in paths]))

    descriptive = [Metadata("dmd-dc", write("metadata/descriptive/DC.xml", dublin_core.dossier_record(rec)), "DC")]
    for n, doc in enumerate(rec.documents, 1):
        path = f"metadata/descriptive/DC-{_file_safe(doc.doc_code)}.xml"
        descriptive.append(Metadata(f"dmd-dc-doc-{n:03d}", write(path, dublin_core.document_record(rec, doc)), "DC"))
    descriptive.append(Metadata("dmd-record", described(f"metadata/descriptive/{RECORD}"), "OTHER",
                                "sohoa record.json (urn:sohoa:schema:record)"))

    provenance = premis.Provenance(
        record=rec, key=dossier.key, bucket=bucket, committed=dossier.committed, now=now,
        exporter_version=__version__, agency=agency, representations=reps, format_names=_FORMAT_NAMES,
    )
    preservation = [Metadata("amd-premis", write("metadata/preservation/premis.xml",
                                                  premis.premis_document(provenance)), "PREMIS")]

    rep_mets: list[tuple[str, PackageFile]] = []
    for rep in reps:
        inside = [
            PackageFile(f.path.removeprefix(f"representations/{rep.name}/"), f.local, f.sha256, f.size,
                        f.mimetype, f.created, f.archive_name)
            for f in rep.files
        ]
        data = representation_mets(objid=objid, name=rep.name, label=rep.label, now=now,
                                   software_version=__version__, agency=agency, files=inside)
        rep_mets.append((rep.name, write(f"representations/{rep.name}/METS.xml", data)))

    schemas = []
    (ip / "schemas").mkdir(parents=True, exist_ok=True)
    for name, (sha, size) in _schema_sums().items():
        shutil.copyfile(validate.SCHEMAS / name, ip / "schemas" / name)
        schemas.append(PackageFile(f"schemas/{name}", ip / "schemas" / name, sha, size, _mimetype(name), now))
    documentation = [write("documentation/README.txt", _readme(dossier, objid, reps, now).encode("utf-8"))]

    mets = package_mets(
        objid=objid, label=rec.dossier.title, now=now, software_version=__version__, agency=agency,
        reference_code=rec.dossier.file_code, descriptive=descriptive, preservation=preservation,
        documentation=documentation, schemas=schemas, representations=rep_mets,
    )
    (ip / "METS.xml").write_bytes(mets)


def _xml_files(ip: Path, objid: str) -> list[tuple[Path, str]]:
    out = [(ip / "METS.xml", f"{objid}/METS.xml")]
    out += [(p, f"{objid}/{p.relative_to(ip).as_posix()}") for p in sorted(ip.glob("representations/*/METS.xml"))]
    out += [(p, f"{objid}/{p.relative_to(ip).as_posix()}") for p in sorted(ip.glob("metadata/*/*.xml"))]
    return out


def _readme(dossier: ArchivedDossier, objid: str, reps: list[premis.Representation], now: dt.datetime) -> str:
    rec = dossier.record
    d = rec.dossier
    lines = [
        f"Gói thông tin nộp lưu (SIP) theo E-ARK / E-ARK Submission Information Package: {objid}",
        "",
        f"Hồ sơ / dossier: {d.title}",
        f"Mã hồ sơ / file code: {d.file_code or '—'}",
        f"Số văn bản, số trang / documents, pages: {d.total_doc}, {d.number_of_page}",
        f"Trong kho lưu trữ / in the archive: {dossier.key} (record.json {dossier.record_file.sha256})",
        f"Tạo lúc / made: {now.isoformat()} bởi / by sohoa {__version__}",
        "",
        "Cấu trúc / layout:",
        "  METS.xml                     mô tả gói / the package's METS (E-ARK CSIP/SIP 2.1)",
        "  metadata/descriptive/        Dublin Core (DC.xml: hồ sơ; DC-<mã văn bản>.xml: văn bản), record.json",
        "  metadata/preservation/       PREMIS 3: tệp, mã kiểm tra, sự kiện, tác nhân / files, fixity, events, agents",
    ]
    for rep in reps:
        lines.append(f"  representations/{rep.name}/  {rep.label} ({len(rep.files)})")
    lines += [
        "  schemas/                     XSD của METS, PREMIS, Dublin Core / the schemas",
        "",
        "Mọi mã SHA-256 trong gói khớp với kho lưu trữ lúc xuất. / Every SHA-256 in the package equals "
        "the archive's at export.",
    ]
    return "\n".join(lines) + "\n"


@functools.cache
def _schema_sums() -> dict[str, tuple[str, int]]:
    """The vendored schemas' SHA-256 and size, once per process: they never change."""
    return {name: (_sha256(validate.SCHEMAS / name), (validate.SCHEMAS / name).stat().st_size)
            for name in _SCHEMA_FILES}


def _mimetype(path: str) -> str:
    return _MIMETYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")


def _file_safe(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in text)[:120] or "document"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _invalid(key: str, problems: list[str]) -> ExportInvalidError:
    listed = "; ".join(problems[:10]) + (f" (and {len(problems) - 10} more)" if len(problems) > 10 else "")
    return ExportInvalidError(
        f"the package made from {key} failed its validation, so it was not handed over: {listed}",
        f"gói tạo từ {key} không đạt kiểm tra nên chưa được bàn giao: {listed}",
    )


def _upload(store: Store, key: str, path: Path, sha: str) -> str:
    """PUT under exports/ with the SHA-256 the store checks, then read back and hashed again."""
    store.put(key, path, sha, content_type="application/zip", metadata={"role": "export"})
    back = store.sha256(key)
    if back is None or back[0] != sha:
        raise StorageError(
            f"{key}: the uploaded package does not read back as written",
            f"{key}: gói vừa tải lên đọc lại không khớp",
        )
    return f"s3://{store.bucket}/{key}"
