"""Archived dossiers → E-ARK SIP packages (METS, PREMIS 3, Dublin Core) in BagIt bags, for
handing over to a national or provincial archive (TT 05/2025/TT-BNV, Archives Law 2024).

``export_dossier`` makes one package from one committed dossier (``package``), reading it
back exactly as committed (``fetch``); ``select`` lists a commune's dossiers from the
catalogue; ``validate`` checks a package against the vendored schemas and BagIt.
"""

from pipeline.export.fetch import ArchivedDossier, ArchivedFile, fetch_dossier, normalise_key
from pipeline.export.package import (
    REPRESENTATIONS,
    ExportResult,
    build_bag,
    export_dossier,
    export_many,
    package_id,
    select,
    write_zip,
)
from pipeline.export.validate import SCHEMAS, bag_problems, check_package, warm_up, xml_problems

__all__ = [
    "REPRESENTATIONS", "SCHEMAS", "ArchivedDossier", "ArchivedFile", "ExportResult", "bag_problems",
    "build_bag", "check_package", "export_dossier", "export_many", "fetch_dossier", "normalise_key", "package_id",
    "select", "warm_up", "write_zip", "xml_problems",
]
