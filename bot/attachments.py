"""Produce the bytes of a file a reply carries (a chart is drawn here, off the event loop)."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

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


class Workshop:
    """Makes attachments off the event loop. Charts are drawn in one separate process, so
    matplotlib's CPU and memory never weigh on the bot process that answers everyone; one at a
    time, since each chart holds a figure in memory and several at once gained nothing
    (benchmarks/RESULTS.md). Other files are cheap and made in place."""

    def __init__(self) -> None:
        self._drawer: ProcessPoolExecutor | None = None

    async def produce(self, attachment: Attachment) -> bytes:
        if attachment.kind != "plan_chart":
            return produce(attachment)
        if self._drawer is None:
            # spawn, not fork: the bot process has threads (the database's) that fork would copy
            # in an unknown state.
            context = multiprocessing.get_context("spawn")
            self._drawer = ProcessPoolExecutor(max_workers=1, mp_context=context)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._drawer, produce, attachment)

    def close(self) -> None:
        if self._drawer is not None:
            self._drawer.shutdown(wait=False, cancel_futures=True)
            self._drawer = None
