"""A user's stored rows as files: JSON for completeness, CSV for a spreadsheet."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

# Excel needs the byte order mark to read UTF-8 Chinese correctly.
UTF8_BOM = "\ufeff"


def as_json(rows: Mapping[str, list[dict[str, Any]]]) -> bytes:
    readable = {table: [_unpacked(row) for row in table_rows] for table, table_rows in rows.items()}
    return json.dumps(readable, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def as_csv(rows: Mapping[str, list[dict[str, Any]]]) -> bytes:
    """One line per stored value: table, row number, field path, value."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    writer.writerow(["table", "row", "field", "value"])
    for table, table_rows in rows.items():
        for number, row in enumerate(table_rows, start=1):
            for path, value in _leaves(_unpacked(row)):
                writer.writerow([table, number, path, value])
    return buffer.getvalue().encode("utf-8")


def table_as_csv(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows of cells as a CSV that Excel opens with Chinese intact."""
    buffer = io.StringIO()
    buffer.write(UTF8_BOM)
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def _unpacked(row: Mapping[str, Any]) -> dict[str, Any]:
    """Columns holding JSON documents are shown as the documents, not as strings."""
    unpacked = {}
    for column, value in row.items():
        if isinstance(value, str) and value[:1] in "{[":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        unpacked[column] = value
    return unpacked


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, f"{path}[{index}]")
    else:
        yield path, "" if value is None else str(value)
