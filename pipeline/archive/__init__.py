"""Signed dossier → S3-compatible storage, never half-written; the catalogue and the audit.

``amend.commit_record`` commits a new metadata version (a reviewer's correction).

``archive_dossier`` commits a processed dossier (``commit``), ``audit`` re-hashes what is
stored against its manifests (``audit``), ``catalog`` is what downstream systems read, and
``embedded`` runs the local default store.
"""

from pipeline.archive import amend, catalog, embedded
from pipeline.archive.audit import AuditReport, DossierAudit, Finding, Verifier, audit
from pipeline.archive.commit import (
    MAINTENANCE_YEARS,
    ArchiveResult,
    PageText,
    archive_dossier,
    connect,
    connection,
    content_fingerprint,
    dossier_key,
    read_file,
    retain_until,
)
from pipeline.archive.layout import EXPORTS_PREFIX, MANIFEST, RECORD, manifest_text, parse_manifest
from pipeline.archive.s3 import Connection, Store

__all__ = [
    "EXPORTS_PREFIX", "MAINTENANCE_YEARS", "amend", "MANIFEST", "RECORD", "ArchiveResult", "AuditReport", "Connection",
    "DossierAudit", "Finding", "PageText", "Store", "Verifier", "archive_dossier", "audit",
    "catalog", "connect", "connection", "content_fingerprint", "dossier_key",
    "embedded", "manifest_text", "parse_manifest", "read_file", "retain_until",
]
