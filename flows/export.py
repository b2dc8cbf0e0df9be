"""The ``export-sip`` flow: a commune's archived dossiers as E-ARK SIP packages, in batches.

Run from the Prefect UI (deployment ``export-sip/sohoa``) with a commune and a day: every
dossier of that commune committed since then is packaged (``pipeline.export``) and written
under ``exports/`` in the archive's bucket, or to a folder the workers share. The run's
artifact lists the packages made.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from flows import common
from pipeline import export


def _run_name() -> str:
    params = flow_run.parameters
    since = params.get("since")
    day = since.isoformat() if isinstance(since, dt.date) else (str(since) if since else "tat-ca")
    return f"xuat-sip-{params.get('commune')}-tu-{day}"


@flow(
    name="export-sip",
    flow_run_name=_run_name,
    description="Xuất hồ sơ đã lưu của một xã thành gói E-ARK SIP (METS, PREMIS, Dublin Core, "
    "BagIt) để nộp lưu. A commune's archived dossiers as E-ARK SIP packages for an archive.",
    persist_result=False,
)
def export_sips(commune: str, since: dt.date | None = None, output_dir: str | None = None) -> list[dict]:
    """Package every dossier of ``commune`` committed on or after ``since`` (all of them when
    not given): under ``exports/`` in the archive's bucket, or into ``output_dir``."""
    logger = get_run_logger()
    settings = common.settings()
    store = common.archive_store(settings)
    store.check()
    commune = commune.zfill(5) if commune.isdigit() else commune
    selection = export.select(store, commune, since)
    logger.info("%d hồ sơ / dossiers to export", len(selection))
    rows = []
    for result in export.export_many(
        store, selection, output_dir=Path(output_dir) if output_dir else None, to_bucket=output_dir is None,
    ):
        logger.info("%s → %s", result.key, result.location)
        rows.append({"dossier": result.key, "package": result.location, "files": result.files,
                     "bytes": result.bytes, "sha256": result.sha256, "seconds": result.seconds})
    day = since.isoformat() if since else "all"
    create_table_artifact(
        rows or [{"dossier": "—", "package": "—", "files": 0, "bytes": 0, "sha256": "—", "seconds": 0}],
        key=common.artifact_key("goi-sip", commune, day),
        description=f"Gói E-ARK SIP / E-ARK SIP packages: xã {commune}, từ / since {day}: {len(rows)}",
    )
    return rows
