"""A sequence of questions: asking, parsing, clarifying, skipping and going back one answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.conversation.core import Button, Reply
from flows.domain.context import Context
from flows.domain.parsing.answers import Also, Ask, Elsewhere, Invalid, Option, Parsed, ParseResult
from flows.domain.texts import Text, Value, text

Draft = dict[str, Any]
Parser = Callable[[str, Context], ParseResult[Any]]
Encoder = Callable[[Any], Any]

CURSOR = "_field"
PENDING = "_ask"
# Fields answered in passing (by a sentence typed at another question): not asked again.
FILLED = "_filled"
_INTERNAL = (CURSOR, PENDING, FILLED)
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
    # Whether an encoded value (typed, from a clarification, or found in an old draft) is of
    # this field's type; a button value offered by the field is always accepted.
    valid: Callable[[Any], bool] = lambda _value: True
    # A parsed value that is possible but unlikely (10000 days overdue): a question back with
    # the value itself among the options, else None.
    doubt: Callable[[Draft, Any, Context], Ask[Any] | None] = lambda _draft, _value, _ctx: None

    def choices_for(self, draft: Draft) -> tuple[Choice, ...]:
        return (*self.suggest(draft), *self.choices)

    def accepts(self, draft: Draft, value: Any) -> bool:
        """Whether `value` may be stored for this field: its own button value, or a value of
        its type. A buttons-only field takes nothing but its buttons."""
        if value is None:
            return self.optional
        if isinstance(value, str) and any(c.value == value for c in self.choices_for(draft)):
            return True
        if self.parse is None:
            return False
        try:
            return bool(self.valid(value))
        except (TypeError, ValueError, ArithmeticError):
            return False


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
        return self._advance_from(self.answers(draft or {}), -1)

    def current(self, draft: Draft) -> Field | None:
        name = draft.get(CURSOR)
        return next((f for f in self.fields if f.name == name), None)

    def prompt(self, draft: Draft) -> Reply:
        """The question the user is on now (used again after an interruption)."""
        pending = self._pending(draft)
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
        return bool(current and current.free_text and not self._pending(draft))

    def answers(self, draft: Draft) -> Draft:
        """The draft's answers that are of their field's type; anything else (an old draft
        written before a check existed) is dropped rather than handed to a calculation."""
        by_name = {f.name: f for f in self.fields}
        kept: Draft = {}
        for key, value in draft.items():
            if key in _INTERNAL:
                continue
            known = by_name.get(key)
            if known is None or value is None or known.accepts(draft, value):
                kept[key] = value
        return kept

    # ---- answers ------------------------------------------------------------------------

    def typed(self, draft: Draft, raw: str, ctx: Context) -> FormStep:
        current = self.current(draft)
        if current is None:
            return self.start(draft)
        if len(raw) > current.max_length:
            return self._retry(draft, text("form.too_long", limit=current.max_length))
        if current.parse is None:
            return self._retry(draft, text("form.use_buttons"))
        # A new typed answer replaces a question asked back about an earlier one: if the new
        # text is unclear too, its own question is asked; the old buttons are gone.
        draft = _without_pending(draft)
        result = current.parse(raw, ctx)
        if isinstance(result, Parsed):
            value = result.value
            if isinstance(value, Also):
                draft, value = self._fill(draft, current, value.others), value.value
            if value is None:  # "不是分期" (not in installments): the question does not apply
                return self.skip(draft)
            problem = current.check(draft, value)
            if problem is not None:
                return self._retry(draft, problem)
            doubt = current.doubt(draft, value, ctx)
            if doubt is not None:
                return self._ask(draft, current, doubt)
            return self._accept(draft, current, current.encode(value))
        if isinstance(result, Ask):
            return self._ask_here(draft, current, result, ctx)
        return self._retry(draft, Text(result.reason, dict(result.values)))

    def _ask_here(self, draft: Draft, current: Field, ask: Ask[Any], ctx: Context) -> FormStep:
        """Ask back, without offering to file the answer under a question this form does not
        have (editing one field): then the answer is this question's, as typed."""
        kept = tuple(
            o
            for o in ask.options
            if not isinstance(o.value, Elsewhere) or self._by_name(o.value.field) is not None
        )
        if len(kept) == len(ask.options):
            return self._ask(draft, current, ask)
        if not any(isinstance(o.value, Elsewhere) for o in kept) and len(kept) == 1:
            value = kept[0].value
            problem = current.check(draft, value)
            if problem is not None:
                return self._retry(draft, problem)
            return self._accept(draft, current, current.encode(value))
        return self._ask(draft, current, Ask(ask.question, kept, ask.values))

    def chose(self, draft: Draft, payload: str) -> FormStep | None:
        """A button answer, or None when the payload does not belong to this question."""
        pending = self._pending(draft)
        current = self.current(draft)
        if current is None:
            return None
        if pending:
            options = pending["options"]
            if not payload.startswith("o") or not payload[1:].isdigit() or len(payload) > 4:
                return None
            index = int(payload[1:])
            if index >= len(options):
                return None
            option = options[index]
            cleared = _without_pending(draft)
            if option.get("to"):
                return self._elsewhere(cleared, option["to"], option["value"])
            cleared = self._fill(cleared, current, option.get("others", {}), encoded=True)
            return self._accept(cleared, current, option["value"])
        choice = next((c for c in current.choices_for(draft) if c.value == payload), None)
        if choice is None:
            return None
        return self._accept(_without_pending(draft), current, choice.value)

    def skip(self, draft: Draft) -> FormStep:
        current = self.current(draft)
        if current is None:
            return self.start(draft)
        if not current.optional:
            return self._retry(draft, text("form.cannot_skip"))
        cleared = _without_pending(draft)
        cleared[current.name] = None
        return self._advance_from(cleared, self._index(current))

    def back(self, draft: Draft) -> FormStep:
        if self._pending(draft):
            return self._retry(_without_pending(draft), None)
        draft = _without_pending(draft)
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

    def _pending(self, draft: Draft) -> Mapping[str, Any] | None:
        """The question asked back, only while the user is still on the field it is about
        (older drafts, without a field name, count as not bound to anything: dropped)."""
        pending = draft.get(PENDING)
        if not isinstance(pending, Mapping) or pending.get("field") != draft.get(CURSOR):
            return None
        return pending

    def _accept(self, draft: Draft, current: Field, value: Any) -> FormStep:
        if not current.accepts(draft, value):
            return self._retry(draft, text("form.not_understood"))
        return self._advance_from({**draft, current.name: value}, self._index(current))

    def _advance_from(self, draft: Draft, index: int) -> FormStep:
        # Whatever was asked back belonged to the question being left.
        draft = _without_pending(draft)
        filled = draft.get(FILLED) or ()
        for following in self.fields[index + 1 :]:
            if following.name in filled and draft.get(following.name) is not None:
                continue
            if following.applies(draft):
                moved = {**draft, CURSOR: following.name}
                return Asking(moved, (self._question(following, moved),))
        return Completed(self.answers(draft))

    def _by_name(self, name: Any) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def _fill(
        self, draft: Draft, current: Field, others: Mapping[str, Any], *, encoded: bool = False
    ) -> Draft:
        """Answers to later questions said in passing, each kept only if it fits its field."""
        filled = list(draft.get(FILLED) or ())
        updated = dict(draft)
        for name, value in others.items():
            target = self._by_name(name)
            if target is None or target is current or value is None:
                continue
            stored = value if encoded else target.encode(value)
            if target.accepts(updated, stored):
                updated[name] = stored
                filled.append(name)
        if filled:
            updated[FILLED] = sorted(set(filled))
        return updated

    def _elsewhere(self, draft: Draft, name: Any, value: Any) -> Asking:
        """Put a confirmed answer into the question it belongs to, and ask this one again."""
        target = self._by_name(name)
        if target is None or not target.accepts(draft, value):
            return self._retry(draft, text("form.not_understood"))
        filled = sorted({*(draft.get(FILLED) or ()), target.name})
        return self._retry({**draft, target.name: value, FILLED: filled}, text("form.noted"))

    def _retry(self, draft: Draft, problem: Text | None) -> Asking:
        replies = (Reply(problem),) if problem else ()
        return Asking(draft, (*replies, self.prompt(draft)))

    def _ask(self, draft: Draft, current: Field, ask: Ask[Any]) -> Asking:
        pending = {
            "field": current.name,
            "question": ask.question,
            "values": {k: str(v) for k, v in ask.values.items()},
            "options": [self._option(current, o) for o in ask.options],
        }
        asking = {**draft, PENDING: pending}
        return Asking(asking, (self._clarification(pending),))

    def _option(self, current: Field, option: Option[Any]) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "label": option.label,
            "label_values": {k: str(v) for k, v in option.label_values.items()},
        }
        value = option.value
        if isinstance(value, Elsewhere):
            target = self._by_name(value.field) or current
            return {**stored, "to": target.name, "value": target.encode(value.value)}
        if isinstance(value, Also):
            others = {
                name: target.encode(v)
                for name, v in value.others.items()
                if (target := self._by_name(name)) is not None and v is not None
            }
            return {**stored, "value": current.encode(value.value), "others": others}
        return {**stored, "value": current.encode(value)}

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


def _without_pending(draft: Draft) -> Draft:
    return {k: v for k, v in draft.items() if k != PENDING}


def invalid(reason: str, **values: str) -> Invalid:
    return Invalid(reason, values)
