"""The webhook server: Telegram POSTs updates here (behind a TLS proxy).

The secret header is checked before a byte of the body is read; a body over MAX_BODY_BYTES is
refused with 413 without being buffered; a body that is not an update gets 400. An update is
answered 200 only once it is stored in the inbox (bot/inbox.py), so Telegram retries anything
the bot had not safely received. Nothing of a body ever reaches a log.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass

from aiohttp import web
from telegram import Bot

from bot.updates import RawUpdate

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few kilobytes; a megabyte is generous.
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class WebhookServer:
    """An aiohttp site for one path; `start`/`stop` around the Application's own start/stop."""

    queue: asyncio.Queue[object]
    bot: Bot
    path: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8443
    _runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        application = web.Application(client_max_size=MAX_BODY_BYTES)
        application.router.add_post(f"/{self.path.strip('/')}", self.receive)
        return application

    async def start(self) -> None:
        # No lingering: an over-long or unauthorised body is not read, the connection closes.
        self._runner = web.AppRunner(self.app(), access_log=None, lingering_time=0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook request without the right secret refused")
            return web.Response(status=403)
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return web.Response(status=413)
        body = await _read_at_most(request, MAX_BODY_BYTES)
        if body is None:
            return web.Response(status=413)
        try:
            update = RawUpdate.of(json.loads(body))
            if update is None or not update.well_formed:
                raise ValueError("not an update")
        except Exception as error:  # what is wrong with it, never what it says
            log.warning("webhook body is not an update (%s)", type(error).__name__)
            return web.Response(status=400)
        await self.queue.put(update)  # stored in the inbox before the 200
        return web.Response(status=200)


async def _read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The body, or None once it grows past `limit` (chunked bodies have no length up front)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.readany()
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
