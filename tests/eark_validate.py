"""Run the E-ARK validator (the ``eark-validator`` package, in ``.venv-eark``) on packages,
offline, and print one JSON line per package: its errors, and how many warnings.

    .venv-eark/bin/python tests/eark_validate.py PACKAGE_DIR_OR_ZIP…

eark-validator 1.1 downloads four CSIP vocabularies from earkcsip.dilcis.eu when it is
imported; it ships the same files, so here those addresses are answered from its own copies
and nothing leaves the machine. Exit 1 when any package has an error.
"""

from __future__ import annotations

import io
import json
import sys
import urllib.request
from importlib.resources import files
from pathlib import Path

VOCABULARIES = "https://earkcsip.dilcis.eu/schema/"
_real_urlopen = urllib.request.urlopen


def _local_vocabulary(url, *args, **kwargs):
    address = url if isinstance(url, str) else url.full_url
    if address.startswith(VOCABULARIES):
        name = address.removeprefix(VOCABULARIES)
        data = files("eark_validator.ipxml.resources.vocabs").joinpath(name).read_bytes()
        return io.BytesIO(data)
    return _real_urlopen(url, *args, **kwargs)


def main(paths: list[str]) -> int:
    urllib.request.urlopen = _local_vocabulary  # before eark_validator is imported
    from eark_validator.packages import PackageValidator

    failed = False
    for path in paths:
        report = PackageValidator(Path(path)).validation_report
        messages = list(report.structure.messages)
        if report.metadata is not None:
            messages += report.metadata.schema_results.messages + report.metadata.schematron_results.messages
        errors = [m for m in messages if m.severity.value.upper() == "ERROR"]
        warnings = [m for m in messages if m.severity.value.upper() == "WARNING"]
        failed |= bool(errors) or report.metadata is None
        print(json.dumps({
            "path": path,
            "structure": report.structure.status.value,
            "valid": not errors and report.metadata is not None,
            "errors": [f"{m.rule_id} {m.location}: {m.message}" for m in errors],
            "warnings": len(warnings),
            "warningRules": sorted({m.rule_id for m in warnings}),
        }, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
