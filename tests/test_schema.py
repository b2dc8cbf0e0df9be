"""The published schema of record.json stays identical to the models the code uses."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pipeline.core import record

REPO = Path(__file__).resolve().parents[1]
PUBLISHED = REPO / "schemas" / "record.schema.json"


def test_published_schema_matches_the_models() -> None:
    assert PUBLISHED.read_text(encoding="utf-8") == record.schema_text(), (
        "schemas/record.schema.json is out of date: run `sohoa schema > schemas/record.schema.json`"
        " and bump SCHEMA_VERSION if the change is not backwards compatible"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert record.SCHEMA_VERSION in schema["$id"]


def test_schema_rejects_a_wrong_record() -> None:
    schema = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schemaVersion": "1.0.0"}, schema)


def test_a_record_that_breaks_the_schema_is_never_written() -> None:
    class Broken:
        def to_json(self) -> str:
            return json.dumps({"schemaVersion": "1.0.0"})

    with pytest.raises(jsonschema.ValidationError, match="required"):
        record.validated_json(Broken())  # type: ignore[arg-type]
