"""Scheduled flows: ``audit`` (fixity of the archive) and ``daily-report`` (per commune)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows import common
from pipeline import archive, sign
from pipeline.core.errors import FixityError
from pipeline.intake import staging


@flow(
    name="audit",
    description="Kiểm tra tính toàn vẹn kho lưu trữ: mã băm, phiên bản, chữ ký. "
    "Fixity check of the archive: checksums, versions, signatures.",
    persist_result=False,
)
def audit_archive(commune: str | None = None) -> dict:
    """Every dossier (or one commune's): each object against its manifest, each signature.
    The run fails when anything is wrong, so a red run in the UI is a finding."""
    settings = common.settings()
    store = archive.connect(settings.storage)
    verifier, how = sign.archive_verifier(settings.signing.trust_roots)
    report = archive.audit(store, commune=commune, verifier=verifier, signature_check=how)
    rows = [
        {"key": d.key, "objects": d.objects, "bytes": d.bytes, "signatures": d.signatures_verified,
         "problems": "; ".join(f"{f.kind} {f.key} {f.detail}".strip() for f in d.findings) or "—"}
        for d in report.dossiers
    ]
    create_table_artifact(rows, key="kiem-tra-kho" + (f"-{commune}" if commune else ""),
                          description=f"Kiểm tra kho / archive audit: s3://{report.bucket} ({how})")
    get_run_logger().info("%d hồ sơ / dossiers, %d vấn đề / problems", len(report.dossiers),
                          len(report.findings))
    if not report.ok:
        raise FixityError(
            f"the audit found {len(report.findings)} problem(s) in s3://{report.bucket}",
            f"kiểm tra phát hiện {len(report.findings)} vấn đề trong s3://{report.bucket}",
        )
    return {"bucket": report.bucket, "dossiers": len(report.dossiers), "ok": True}


@flow(
    name="daily-report",
    description="Báo cáo ngày theo xã: trang và hồ sơ đã xong, lỗi, hàng đợi, thời gian mỗi trang. "
    "Daily report per commune: pages and dossiers done, failures, queue, time per page.",
    persist_result=False,
)
def daily_report(day: dt.date | None = None) -> list[dict]:
    settings = common.settings()
    zone = ZoneInfo(settings.flows.timezone)
    day = day or dt.datetime.now(zone).date()
    store = common.intake_store(settings)
    rows = summarise(staging.outcomes(store, day), _queues(store, settings))
    create_table_artifact(
        rows, key=f"bao-cao-ngay-{day.isoformat()}",
        description=f"Báo cáo ngày {day.isoformat()} / daily report",
    )
    failures = [o for o in staging.outcomes(store, day) if o.get("status") == "failed"]
    if failures:
        create_markdown_artifact(
            f"# Hồ sơ lỗi ngày {day.isoformat()} / failed dossiers\n\n"
            + "\n".join(f"- xã {o['commune']}: **{o['dossier']}**: {o.get('reasonEn') or '—'}" for o in failures),
            key=f"ho-so-loi-{day.isoformat()}",
        )
    return rows


def summarise(outcomes: list[dict], queues: dict[str, dict]) -> list[dict]:
    """One row per commune: dossiers and pages done, failures, waiting, seconds per page."""
    communes = sorted({o["commune"] for o in outcomes} | set(queues))
    rows = []
    for code in communes:
        mine = [o for o in outcomes if o["commune"] == code]
        done = [o for o in mine if o.get("status") == "done"]
        pages = sum(o.get("pages") or 0 for o in done)
        seconds = sum(o.get("seconds") or 0 for o in done)
        queue = queues.get(code, {})
        rows.append({
            "commune": code,
            "dossiers_done": len(done),
            "pages_done": pages,
            "duplicates": sum(1 for o in mine if o.get("status") == "duplicate"),
            "failed": sum(1 for o in mine if o.get("status") == "failed"),
            "waiting": queue.get("waiting", 0),
            "processing": queue.get("processing", 0),
            "seconds_per_page": round(seconds / pages, 2) if pages else None,
        })
    return rows


def _queues(store, settings) -> dict[str, dict]:
    out = {}
    for code in settings.intake.folders:
        data = staging.get_json(store, staging.queue_key(code))
        if data:
            out[code] = data
    return out
