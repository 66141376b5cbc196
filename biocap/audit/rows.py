"""One Parquet row per image: the shared record (``biocap.records``) flattened for SQL.

Fixed columns have a fixed Arrow type in every part (so DuckDB reads all parts as one table);
measures are flattened as ``m_<name>`` (raw value) and ``q_<name>`` (0-100 component score),
whose set differs per modality: parts carry the columns of their own rows and DuckDB unions them
by name. ``measures_json`` and ``defects_json`` keep everything (units, evidence, severities).
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

#: columns every part has, in this order, with these types.
CORE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),  # path, or path#record for a record inside a container
        ("src", pa.string()),  # the source file (exactly-once key)
        ("record", pa.int32()),  # image record index inside a container, null for an image file
        ("kind", pa.string()),  # image | nist | iso
        ("modality", pa.string()),
        ("subject", pa.string()),
        ("station", pa.string()),
        ("operator", pa.string()),
        ("day", pa.string()),
        ("position", pa.string()),  # ISO 19794-4 finger code as text, or an eye label
        ("attempt", pa.string()),
        ("quality", pa.int16()),  # 0-100, 255 = could not be computed, null = not decoded
        ("failure_reason", pa.string()),
        ("decision", pa.string()),  # accept | retake | exception, under the profile
        ("reasons", pa.list_(pa.string())),
        ("defects", pa.list_(pa.string())),  # defect codes
        ("defects_json", pa.string()),  # [{code, severity, evidence, message, action}]
        ("error_code", pa.string()),
        ("error_message", pa.string()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("ppi", pa.float32()),
        ("ppi_source", pa.string()),
        ("format", pa.string()),
        ("ms", pa.float32()),  # decode + assess of this image
        ("measures_json", pa.string()),
        ("engine_version", pa.string()),
        ("git_commit", pa.string()),
        ("models", pa.string()),  # model file=sha256, ';'-joined (models/manifest.json)
        ("profile", pa.string()),
        ("run_id", pa.string()),
        ("worker", pa.string()),  # host:pid that scored it
    ]
)
CORE_COLUMNS = frozenset(CORE_SCHEMA.names)


def flatten(record: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """A ``biocap.records`` dict plus the audit's fields -> one row (column name -> value)."""
    err = record.get("error") or {}
    row: dict[str, Any] = {
        **extra,
        "modality": record["modality"],
        "quality": record["quality"],
        "failure_reason": record["failure_reason"],
        "decision": record["decision"],
        "reasons": [r["code"] for r in record["reasons"]],
        "defects": [d["code"] for d in record["defects"]],
        "defects_json": json.dumps(record["defects"], ensure_ascii=False),
        "error_code": err.get("code"),
        "error_message": err.get("message"),
        "ms": record["ms"],
        "measures_json": json.dumps(record["measures"], ensure_ascii=False),
    }
    for name, m in record["measures"].items():
        row[f"m_{name}"] = None if m.get("raw") is None else float(m["raw"])
        row[f"q_{name}"] = None if m.get("score") is None else float(m["score"])
    return row


def schema_for(rows: list[dict[str, Any]]) -> pa.Schema:
    """The core schema plus the measure columns these rows have (float64, sorted)."""
    extra = sorted({k for r in rows for k in r if k not in CORE_COLUMNS})
    return pa.schema([*CORE_SCHEMA, *(pa.field(k, pa.float64()) for k in extra)])


def to_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema_for(rows))
