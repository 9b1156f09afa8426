"""A sequence of questions: asking, parsing, clarifying, skipping and going back one answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.answers import Ask, Invalid, Parsed, ParseResult
from flows.core import Button, Context, Reply, Text, Value, text

Draft = dict[str, Any]
Parser = Callable[[str, Context], ParseResult[Any]]
Encoder = Callable[[Any], Any]

CURSOR = "_field"
PENDING = "_ask"
BACK = Button(text("nav.back"), "back")
SKIP = Button(text("nav.skip"), "skip")
MENU = Button(text("nav.menu"), "n:menu")


@dataclass(frozen=True, slots=True)
class Choice:
    """A button answer: the stored value (also the callback payload), its locale label and the
    label's placeholders."""

    value: str
    label: str
    label_values: Mapping[str, Value] = field(default_factory=dict)


def labelled_choices(values: Iterable[str], labels: str) -> tuple[Choice, ...]:
    """One button a value, each labelled by the locale key `<labels>.<value>`."""
    return tuple(Choice(value, f"{labels}.{value}") for value in values)


def _identity(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Field:
    """One question of a form.

    `parse` turns typed text into a value (None: buttons only); `encode` makes the parsed value
    JSON-safe for the draft; `applies` hides a question that does not fit earlier answers.
    `free_text` marks answers in the user's own words, which global intent routing must not
    hijack. `suggest` offers extra button answers worked out from earlier answers (shown before
    `choices`, accepted only while the same draft would offer them).
    """

    name: str
    prompt: str
    parse: Parser | None = None
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    free_text: bool = False
    max_length: int = 200
    encode: Encoder = _identity
    applies: Callable[[Draft], bool] = lambda _draft: True
    prompt_values: Callable[[Draft], Mapping[str, Value]] = lambda _draft: {}
    columns: int = 2
    # A parsed value that contradicts an earlier answer: the problem to show, else None.
    check: Callable[[Draft, Any], Text | None] = lambda _draft, _value: None
    suggest: Callable[[Draft], tuple[Choice, ...]] = lambda _draft: ()

    def choices_for(self, draft: Draft) -> tuple[Choice, ...]:
        return (*self.suggest(draft), *self.choices)


@dataclass(frozen=True, slots=True)
class Asking:
    """The form goes on: a new draft and the replies to send."""

    draft: Draft
    replies: tuple[Reply, ...]


@dataclass(frozen=True, slots=True)
class Completed:
    """Every applicable question has an answer (or was skipped)."""

    draft: Draft


@dataclass(frozen=True, slots=True)
class LeftAtStart:
    """Back on the first question: the caller decides where that leads."""


FormStep = Asking | Completed | LeftAtStart


@dataclass(frozen=True)
class Form:
    fields: tuple[Field, ...]
    extra_rows: tuple[tuple[Button, ...], ...] = field(default=())

    def start(self, draft: Draft | None = None) -> FormStep:
        draft = {k: v for k, v in (draft or {}).items() if k not in (CURSOR, PENDING)}
        return self._advance_from(draft, -1)

    def current(self, draft: Draft) -> Field | None:
        name = draft.get(CURSOR)
        return next((f for f in self.fields if f.name == name), None)

    def prompt(self, draft: Draft) -> Reply:
        """The question the user is on now (used again after an interruption)."""
        pending = draft.get(PENDING)
        if pending:
            return self._clarification(pending)
        current = self.current(draft)
        if current is None:
            raise ValueError("form has no current question")
        return self._question(current, draft)

    def reopened(self, draft: Draft) -> Draft:
        """A finished draft with the cursor on its last question, so Back can reopen it."""
        applicable = [f for f in self.fields if f.applies(draft)]
        if not applicable:
            return dict(draft)
        return {**draft, CURSOR: applicable[-1].name}

    def is_free_text(self, draft: Draft) -> bool:
        current = self.current(draft)
        return bool(current and current.free_text and not draft.get(PENDING))

    # ---- answers ------------------------------------------------------------------------

    def typed(self, draft: Draft, raw: str, ctx: Context) -> FormStep:
        current = self.current(draft)
        if current is None:
            return self.start(draft)
        if len(raw) > current.max_length:
            return self._retry(draft, text("form.too_long", limit=current.max_length))
        if current.parse is None:
            return self._retry(draft, text("form.use_buttons"))
        result = current.parse(raw, ctx)
        if isinstance(result, Parsed):
            problem = current.check(draft, result.value)
            if problem is not None:
                return self._retry(draft, problem)
            return self._accept(draft, current, current.encode(result.value))
        if isinstance(result, Ask):
            return self._ask(draft, current, result)
        return self._retry(draft, Text(result.reason, dict(result.values)))

    def chose(self, draft: Draft, payload: str) -> FormStep | None:
        """A button answer, or None when the payload does not belong to this question."""
        pending = draft.get(PENDING)
        current = self.current(draft)
        if current is None:
            return None
        if pending:
            options = pending["options"]
            if not payload.startswith("o") or not payload[1:].isdigit():
                return None
            index = int(payload[1:])
            if index >= len(options):
                return None
            without_pending = {k: v for k, v in draft.items() if k != PENDING}
            return self._accept(without_pending, current, options[index]["value"])
        choice = next((c for c in current.choices_for(draft) if c.value == payload), None)
        if choice is None:
            return None
        return self._accept(draft, current, choice.value)

    def skip(self, draft: Draft) -> FormStep:
        current = self.current(draft)
        if current is None:
            return self.start(draft)
        if not current.optional:
            return self._retry(draft, text("form.cannot_skip"))
        cleared = {k: v for k, v in draft.items() if k != PENDING}
        cleared[current.name] = None
        return self._advance_from(cleared, self._index(current))

    def back(self, draft: Draft) -> FormStep:
        if draft.get(PENDING):
            return self._retry({k: v for k, v in draft.items() if k != PENDING}, None)
        current = self.current(draft)
        index = self._index(current) if current else len(self.fields)
        for earlier in reversed(self.fields[:index]):
            if earlier.applies(draft):
                moved = {**draft, CURSOR: earlier.name}
                return Asking(moved, (self._question(earlier, moved),))
        return LeftAtStart()

    # ---- internals ----------------------------------------------------------------------

    def _index(self, current: Field) -> int:
        return self.fields.index(current)

    def _accept(self, draft: Draft, current: Field, value: Any) -> FormStep:
        return self._advance_from({**draft, current.name: value}, self._index(current))

    def _advance_from(self, draft: Draft, index: int) -> FormStep:
        for following in self.fields[index + 1 :]:
            if following.applies(draft):
                moved = {**draft, CURSOR: following.name}
                return Asking(moved, (self._question(following, moved),))
        return Completed({k: v for k, v in draft.items() if k not in (CURSOR, PENDING)})

    def _retry(self, draft: Draft, problem: Text | None) -> Asking:
        replies = (Reply(problem),) if problem else ()
        return Asking(draft, (*replies, self.prompt(draft)))

    def _ask(self, draft: Draft, current: Field, ask: Ask[Any]) -> Asking:
        pending = {
            "question": ask.question,
            "values": {k: str(v) for k, v in ask.values.items()},
            "options": [
                {
                    "label": o.label,
                    "label_values": {k: str(v) for k, v in o.label_values.items()},
                    "value": current.encode(o.value),
                }
                for o in ask.options
            ],
        }
        asking = {**draft, PENDING: pending}
        return Asking(asking, (self._clarification(pending),))

    def _clarification(self, pending: Mapping[str, Any]) -> Reply:
        buttons = [
            Button(Text(o["label"], o.get("label_values", {})), f"o{i}")
            for i, o in enumerate(pending["options"])
        ]
        rows = _rows(buttons, 1)
        return Reply(
            Text(pending["question"], pending.get("values", {})),
            (*rows, (BACK, MENU)),
        )

    def _question(self, current: Field, draft: Draft) -> Reply:
        choice_buttons = [
            Button(text(c.label, **c.label_values), c.value) for c in current.choices_for(draft)
        ]
        nav = (BACK, SKIP, MENU) if current.optional else (BACK, MENU)
        rows = (*_rows(choice_buttons, current.columns), nav, *self.extra_rows)
        return Reply(Text(current.prompt, dict(current.prompt_values(draft))), rows)


def _rows(buttons: list[Button], columns: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + columns]) for i in range(0, len(buttons), columns))


def invalid(reason: str, **values: str) -> Invalid:
    return Invalid(reason, values)
