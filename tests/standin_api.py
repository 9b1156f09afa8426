"""A stand-in Telegram Bot API server on 127.0.0.1 for end-to-end tests and benchmarks.

It speaks the real HTTP API to the real python-telegram-bot client, keeps the chats it has
seen, and refuses what Telegram refuses: empty or over-long text, HTML it cannot parse,
callback data over 64 bytes, answering a callback query twice, editing a message that
does not exist or did not change. Faults can be injected: 429 with retry_after, 403 for a
user who blocked the bot, 5xx, and faults after the call took effect (`accepted=True`: the
message is stored, then the error returned — what a timeout after Telegram acted looks like
to the bot); `chaos` injects such faults at random.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

TOKEN = "123456:TEST-TOKEN-standin"
BOT_ID = 123456
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
ENTITY_OF_TAG = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "entities", "caption_entities"}
_TOKEN = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]"
)


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: plain text and entities, or ApiError 400 like Telegram."""
    plain: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int]] = []
    position = 0
    offset = 0
    for match in _TOKEN.finditer(source):
        literal = source[position : match.start()]
        plain.append(literal)
        offset += utf16_length(literal)
        position = match.end()
        closing, tag, _attrs, entity = match.groups()
        if tag is None and entity is None:
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: unsupported start tag or "
                f"unescaped {match.group()!r} at byte offset {match.start()}",
            )
        if entity is not None:
            char = html.unescape(match.group())
            plain.append(char)
            offset += utf16_length(char)
            continue
        tag = tag.lower()
        if tag not in ALLOWED_TAGS:
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"'
            )
        if not closing:
            stack.append((tag, offset))
            continue
        if not stack or stack[-1][0] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: unmatched end tag "{tag}"')
        opened, start = stack.pop()
        if offset > start and opened in ENTITY_OF_TAG:
            entities.append(
                {"type": ENTITY_OF_TAG[opened], "offset": start, "length": offset - start}
            )
    if stack:
        raise ApiError(
            400, f"Bad Request: can't parse entities: can't find end tag \"{stack[-1][0]}\""
        )
    plain.append(source[position:])
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(plain), entities


@dataclass
class SentMessage:
    """A message the bot sent (or edited), as the chat shows it now."""

    message_id: int
    chat_id: int
    text: str
    source: str
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    kind: str = "text"
    file: bytes | None = None
    filename: str | None = None
    sent_at: float = field(default_factory=time.monotonic)
    edits: int = 0

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button, row by row."""
        if not self.reply_markup:
            return []
        return [
            (b["text"], b.get("callback_data", ""))
            for row in self.reply_markup.get("inline_keyboard", [])
            for b in row
        ]

    def data_for(self, label_part: str) -> str:
        matches = [data for label, data in self.buttons if label_part in label]
        if len(matches) != 1:
            raise AssertionError(f"{len(matches)} buttons match {label_part!r}: {self.buttons}")
        return matches[0]

    def as_api(self, bot_user: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": self.message_id,
            "date": int(time.time()),
            "chat": {"id": self.chat_id, "type": "private", "first_name": "User"},
            "from": bot_user,
        }
        if self.kind == "text":
            body["text"] = self.text
            if self.entities:
                body["entities"] = self.entities
        elif self.kind == "photo":
            body["photo"] = [
                {
                    "file_id": f"photo{self.message_id}",
                    "file_unique_id": f"p{self.message_id}",
                    "width": 100,
                    "height": 60,
                }
            ]
            if self.text:
                body["caption"] = self.text
        else:
            body["document"] = {
                "file_id": f"doc{self.message_id}",
                "file_unique_id": f"d{self.message_id}",
                "file_name": self.filename or "file",
            }
            if self.text:
                body["caption"] = self.text
        if self.reply_markup:
            body["reply_markup"] = self.reply_markup
        return body


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class Fault:
    method: str
    remaining: int
    code: int
    description: str
    retry_after: int | None = None
    chat_id: int | None = None
    accepted: bool = False  # the call takes effect, then the error is returned


@dataclass
class Chaos:
    """Random faults on sending methods: each call fails with probability `rate`, as a 429,
    a 5xx, or a 5xx after the message was stored (a timeout after Telegram acted)."""

    rate: float
    seed: int = 0
    injected: int = 0

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def pick(self) -> Fault | None:
        if self.random.random() >= self.rate:
            return None
        self.injected += 1
        kind = self.random.choice(("429", "500", "502", "accepted"))
        if kind == "429":
            return Fault("", 1, 429, "Too Many Requests: retry after 1", retry_after=1)
        if kind == "accepted":
            return Fault("", 1, 502, "Bad Gateway", accepted=True)
        return Fault("", 1, int(kind), "Internal Server Error")


class StandInBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        # Called with every message the bot sends, as it is stored (load drivers react here).
        self.listeners: list[Callable[[SentMessage], None]] = []
        self.bot_user = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "逾期不慌",
            "username": "yuqi_standin_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[ApiCall] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.commands: dict[str | None, list[dict[str, str]]] = {}
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.blocked: set[int] = set()
        self.faults: list[Fault] = []
        self.chaos: Chaos | None = None
        # (chat, message_id) of messages stored by a call then answered with an error.
        self.accepted_then_failed: set[tuple[int, int]] = set()
        # Telegram-like limit per chat: (messages per second, burst); None: unlimited.
        self.chat_limit: tuple[float, float] | None = None
        self._chat_budget: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self.updates_pushed = 0
        self.served_at: dict[int, float] = {}  # update_id -> when getUpdates handed it out
        self.concurrent_polls = 0  # getUpdates calls made while another was still open
        self._polling = 0
        self._pending: list[dict[str, Any]] = []
        self.history: dict[int, dict[str, Any]] = {}  # every update pushed, by update_id
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._new_update = asyncio.Event()
        self._changed = asyncio.Condition()
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0
        self.webhook_url: str | None = None

    # ---- lifecycle ----------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        application = tornado.web.Application(
            [(r"/bot([^/]+)/([A-Za-z]+)", _Endpoint, {"api": self})]
        )
        sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(application, max_body_size=60 * 1024 * 1024)
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        self._new_update.set()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- what users do ------------------------------------------------------------------

    def user(
        self, user_id: int, first_name: str = "用户", language_code: str | None = "zh-hans"
    ) -> SimUser:
        return SimUser(self, user_id, first_name, language_code)

    def push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._pending.append({"update_id": update_id, **update})
        self.history[update_id] = self._pending[-1]
        self.updates_pushed += 1
        self._new_update.set()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Hand out an update again, as Telegram does when it missed the acknowledgement."""
        self._pending.append(self.history[update_id])
        self._pending.sort(key=lambda u: u["update_id"])
        self.updates_pushed += 1
        self._new_update.set()

    # ---- what tests look at -------------------------------------------------------------

    def calls_to(self, method: str, chat_id: int | None = None) -> list[ApiCall]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or _int(c.params.get("chat_id")) == chat_id)
        ]

    def chat(self, chat_id: int) -> list[SentMessage]:
        return sorted(
            (m for (c, _), m in self.messages.items() if c == chat_id), key=lambda m: m.message_id
        )

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(condition)

        await asyncio.wait_for(_wait(), timeout)

    def fail(
        self,
        method: str,
        times: int,
        code: int,
        description: str,
        retry_after: int | None = None,
        chat_id: int | None = None,
        accepted: bool = False,
    ) -> None:
        self.faults.append(Fault(method, times, code, description, retry_after, chat_id, accepted))

    # ---- the API ------------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        fault = self._fault_for(method, params)
        if fault is not None and not fault.accepted:
            raise ApiError(fault.code, fault.description, fault.retry_after)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        if method == "getUpdates":
            return await handler(params)
        result = handler(params, files)
        if fault is not None:
            if isinstance(result, dict) and "message_id" in result:
                self.accepted_then_failed.add((result["chat"]["id"], result["message_id"]))
            raise ApiError(fault.code, fault.description, fault.retry_after)
        return result

    def _fault_for(self, method: str, params: dict[str, Any]) -> Fault | None:
        chat_id = _int(params.get("chat_id"))
        if chat_id is not None and chat_id in self.blocked and method.startswith("send"):
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        for fault in self.faults:
            if (
                fault.method == method
                and fault.remaining > 0
                and (fault.chat_id is None or fault.chat_id == chat_id)
            ):
                fault.remaining -= 1
                return fault
        if self.chat_limit is not None and chat_id is not None and method.startswith("send"):
            self._spend(chat_id, method)
        if self.chaos is not None and method.startswith("send"):
            return self.chaos.pick()
        return None

    def _spend(self, chat_id: int, method: str) -> None:
        """One message from the chat's budget, or 429 with the seconds until there is one."""
        assert self.chat_limit is not None
        rate, burst = self.chat_limit
        now = time.monotonic()
        tokens, at = self._chat_budget.get(chat_id, (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        if method == "sendChatAction":
            return
        if tokens < 1:
            self._chat_budget[chat_id] = (tokens, now)
            wait = max(1, int((1 - tokens) / rate + 0.999))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        self._chat_budget[chat_id] = (tokens - 1, now)

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        # Telegram answers a second concurrent getUpdates consumer with 409 Conflict; the
        # stand-in counts them (a bot must never run two).
        self._polling += 1
        if self._polling > 1:
            self.concurrent_polls += 1
        try:
            return await self._get_updates(params)
        finally:
            self._polling -= 1

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = _int(params.get("offset")) or 0
        limit = _int(params.get("limit")) or 100
        timeout = float(params.get("timeout") or 0)
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        if not self._pending and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        batch = self._pending[:limit]
        now = time.monotonic()
        for update in batch:
            self.served_at.setdefault(update["update_id"], now)
        return batch

    def _api_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self.bot_user

    def _api_deleteWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.webhook_url = None
        return True

    def _api_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.webhook_url = params.get("url")
        return True

    def _api_setMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[params.get("language_code")] = commands
        return True

    def _api_sendChatAction(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        return True

    def _api_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat_id = _required_chat(params)
        plain, entities = _message_text(params.get("text"), params.get("parse_mode"), MESSAGE_LIMIT)
        markup = _checked_markup(params.get("reply_markup"))
        message = self._store(chat_id, plain, params.get("text", ""), entities, markup, "text")
        return message.as_api(self.bot_user)

    def _api_sendPhoto(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self._send_file(params, files, "photo")

    def _api_sendDocument(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self._send_file(params, files, "document")

    def _send_file(
        self, params: dict[str, Any], files: dict[str, bytes], kind: str
    ) -> dict[str, Any]:
        chat_id = _required_chat(params)
        content = files.get(kind)
        if not content:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        caption = params.get("caption") or ""
        plain, entities = ("", [])
        if caption:
            plain, entities = _message_text(caption, params.get("parse_mode"), CAPTION_LIMIT)
        markup = _checked_markup(params.get("reply_markup"))
        message = self._store(chat_id, plain, caption, entities, markup, kind)
        message.file = content
        message.filename = params.get("_filename")
        return message.as_api(self.bot_user)

    def _api_editMessageText(
        self, params: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        message = self._existing(params)
        plain, entities = _message_text(params.get("text"), params.get("parse_mode"), MESSAGE_LIMIT)
        markup = _checked_markup(params.get("reply_markup"))
        if (
            plain == message.text
            and entities == message.entities
            and markup == message.reply_markup
        ):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same",
            )
        message.text, message.source, message.entities = plain, params["text"], entities
        message.reply_markup = markup
        message.edits += 1
        return message.as_api(self.bot_user)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        message = self._existing(params)
        markup = _checked_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        message.reply_markup = markup
        message.edits += 1
        return message.as_api(self.bot_user)

    def _api_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if self.callback_queries.get(query_id, True):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        answer_text = params.get("text") or ""
        if len(answer_text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_queries[query_id] = True
        self.callback_answers[query_id] = params
        return True

    # ---- internals ----------------------------------------------------------------------

    def _store(
        self,
        chat_id: int,
        plain: str,
        source: str,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        kind: str,
    ) -> SentMessage:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1000))
        message = SentMessage(next(counter), chat_id, plain, source, entities, markup, kind)
        self.messages[(chat_id, message.message_id)] = message
        for listener in self.listeners:
            listener(message)
        return message

    def _existing(self, params: dict[str, Any]) -> SentMessage:
        chat_id = _required_chat(params)
        message = self.messages.get((chat_id, _int(params.get("message_id")) or -1))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


class SimUser:
    """A person in a private chat with the bot."""

    def __init__(
        self,
        api: StandInBotApi,
        user_id: int,
        first_name: str,
        language_code: str | None = "zh-hans",
    ) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self._message_ids = itertools.count(1)

    @property
    def person(self) -> dict[str, Any]:
        person: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code is not None:  # Telegram leaves it out when the client hides it
            person["language_code"] = self.language_code
        return person

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.id, "type": "private", "first_name": self.first_name}

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.person,
            **content,
        }

    def says(self, text: str) -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.api.push({"message": self._message(**content)})

    def sends_sticker(self) -> int:
        sticker = {
            "file_id": "sticker1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return self.api.push({"message": self._message(sticker=sticker)})

    def sends_photo(self) -> int:
        photo = [{"file_id": "ph1", "file_unique_id": "u1", "width": 90, "height": 90}]
        return self.api.push({"message": self._message(photo=photo)})

    def presses(self, message: SentMessage, label_part: str) -> str:
        return self.presses_data(message, message.data_for(label_part))

    def presses_data(self, message: SentMessage, data: str) -> str:
        """Press a button — or, with made-up data, do what a tampered client could do."""
        query_id = f"q{self.id}-{next(self._message_ids)}"
        self.api.callback_queries[query_id] = False
        self.api.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.person,
                    "chat_instance": f"ci{self.id}",
                    "message": message.as_api(self.api.bot_user),
                    "data": data,
                }
            }
        )
        return query_id

    @property
    def messages(self) -> list[SentMessage]:
        return self.api.chat(self.id)

    @property
    def last(self) -> SentMessage:
        return self.messages[-1]

    def last_with_buttons(self) -> SentMessage:
        return next(m for m in reversed(self.messages) if m.buttons)


class _Endpoint(tornado.web.RequestHandler):
    def initialize(self, api: StandInBotApi) -> None:
        self.api = api

    async def get(self, token: str, method: str) -> None:
        await self.post(token, method)

    async def post(self, token: str, method: str) -> None:
        params, files = self._arguments()
        call = ApiCall(method, params, time.monotonic())
        self.api.calls.append(call)
        await self.api._notify()  # a long poll is visible while it waits, not only when it ends
        try:
            if token != self.api.token:
                raise ApiError(401, "Unauthorized")
            result = await self.api.call(method, params, files)
            self._reply(200, {"ok": True, "result": result})
        except ApiError as error:
            call.status = error.code
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            self._reply(error.code, body)
        await self.api._notify()

    def _arguments(self) -> tuple[dict[str, Any], dict[str, bytes]]:
        request = self.request
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and request.body:
            params.update(json.loads(request.body))
        else:
            arguments: dict[str, list[bytes]] = {}
            uploaded: dict[str, list[tornado.httputil.HTTPFile]] = {}
            tornado.httputil.parse_body_arguments(content_type, request.body, arguments, uploaded)
            for name, values in {**request.query_arguments, **arguments}.items():
                params[name] = values[-1].decode("utf-8")
            for name, parts in uploaded.items():
                files[name] = parts[0].body
                params["_filename"] = parts[0].filename
        for name in JSON_FIELDS & params.keys():
            if isinstance(params[name], str):
                params[name] = json.loads(params[name])
        return params, files

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _required_chat(params: dict[str, Any]) -> int:
    chat_id = _int(params.get("chat_id"))
    if chat_id is None:
        raise ApiError(400, "Bad Request: chat not found")
    return chat_id


def _message_text(source: Any, parse_mode: Any, limit: int) -> tuple[str, list[dict[str, Any]]]:
    if not isinstance(source, str):
        raise ApiError(400, "Bad Request: message text is empty")
    plain, entities = parse_html(source) if parse_mode == "HTML" else (source, [])
    if not plain.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_length(plain) > limit:
        raise ApiError(400, "Bad Request: message is too long")
    return plain, entities


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    if not markup:
        return None
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup
