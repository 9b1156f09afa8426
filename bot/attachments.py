"""Produce the bytes of a file a reply carries (a chart is drawn here, off the event loop)."""

from __future__ import annotations

from flows.core import Attachment


def produce(attachment: Attachment) -> bytes:
    """Files whose content flows already made are passed through; charts are rendered."""
    if attachment.kind == "plan_chart":
        from bot.charts import render_attachment  # matplotlib loads only when a chart is due

        return render_attachment(attachment.payload)
    content = attachment.payload.get("content")
    if not isinstance(content, bytes):
        raise TypeError(f"{attachment.kind} attachment has no bytes content")
    return content
