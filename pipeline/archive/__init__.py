"""Signed dossier → S3-compatible storage, never half-written; the catalogue and the audit."""
