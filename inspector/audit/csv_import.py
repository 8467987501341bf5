"""Findings from a CSV file (``audit record --csv``): every row checked before any is recorded."""

from __future__ import annotations

from pathlib import Path

from inspector._io.files import read_user_file
from inspector.audit.audit import FindingInput
from inspector.errors import UserError

# ---------------------------------------------------------------------------------------------
# findings from a CSV file

CSV_REQUIRED = ("item", "status", "note")
CSV_OPTIONAL = ("evidence", "due", "reason")
CSV_LIMIT = 20 * 1024 * 1024


def load_findings_csv(path: str | Path) -> list[FindingInput]:
    """Rows of a findings CSV (UTF-8, BOM tolerated): header ``item,status,note`` plus optional
    ``evidence`` (files separated by ``;``, relative to the CSV's folder), ``due`` and ``reason``.

    Only the shape is checked here; ``Audit.validate`` checks the content, and every error
    names the CSV line where the row starts. An item given on two rows is refused, naming both
    lines: a batch is one visit's answers, and a second row would silently revise the first.
    Item ids are upper-cased before they are compared and recorded, as every checklist's ids
    are: a hand-typed ``mal-03`` is MAL-03.
    """
    import csv
    import io

    p = Path(path)
    raw = read_user_file(p, "findings file", CSV_LIMIT)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise UserError(f"{p}: empty file (expected a header line: item,status,note)") from None
    except csv.Error as exc:
        raise UserError(f"{p} line 1: {exc}") from None
    unknown = [name for name in header if name not in CSV_REQUIRED + CSV_OPTIONAL]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        allowed = ", ".join(CSV_REQUIRED + CSV_OPTIONAL)
        what = (
            f"unknown column {unknown[0]!r}"
            if unknown
            else f"missing column {missing[0]!r}"
            if missing
            else "a column appears twice"
        )
        raise UserError(
            f"{p} line 1: {what} (the header is item,status,note and optionally {', '.join(CSV_OPTIONAL)}; allowed: {allowed})"
        )
    rows: list[FindingInput] = []
    first_line: dict[str, int] = {}  # item id -> the line of the row that gives it
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise UserError(f"{p} line {line}: {exc}") from None
        where, row_line = f"{p} line {line}", line
        line = reader.line_num + 1
        if not any(cell.strip() for cell in fields):
            continue
        if len(fields) != len(header):
            raise UserError(f"{where}: {len(fields)} fields, the header has {len(header)}")
        cells = dict(zip(header, fields))
        item = cells["item"].strip().upper()
        if not item:
            raise UserError(f"{where}: the item is empty")
        if item in first_line:
            raise UserError(
                f"{where}: item {item} is already given on line {first_line[item]}",
                code="duplicate-item",
                field="item",
                item=item,
                line=row_line,
                first_line=first_line[item],
            )
        first_line[item] = row_line
        evidence = [p.parent / part.strip() for part in cells.get("evidence", "").split(";") if part.strip()]
        rows.append(
            FindingInput(
                item=item,
                status=cells["status"].strip(),
                note=cells["note"] or None,
                evidence=tuple(evidence),
                due=cells.get("due") or None,
                reason=cells.get("reason") or None,
                where=where,
            )
        )
    if not rows:
        raise UserError(f"{p}: no findings after the header line")
    return rows
