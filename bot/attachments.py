"""Produce the bytes of a file a reply carries (a chart is drawn here, off the event loop)."""

from __future__ import annotations

from bot import export
from flows.core import Attachment


def produce(attachment: Attachment) -> bytes:
    """Files whose content flows already made are passed through; charts are rendered;
    a CSV given as rows (already in the user's language) is written out."""
    if attachment.kind == "plan_chart":
        from bot.charts import render_attachment  # matplotlib loads only when a chart is due

        return render_attachment(attachment.payload)
    if attachment.kind == "csv" and "rows" in attachment.payload:
        return export.table_as_csv(attachment.payload["rows"])
    content = attachment.payload.get("content")
    if not isinstance(content, bytes):
        raise TypeError(f"{attachment.kind} attachment has no bytes content")
    return content
