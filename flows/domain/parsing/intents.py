"""What a typed text is about when it is not an answer: a complaint question, a collection
incident (which behaviours), a "credit repair" scam, or nothing.

Patterns live in data/intents.toml; this module only normalises the text and matches them.
"""

# The scam is offered as 征信修复 (credit repair).

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from flows.domain.collection_facts import IntentPatterns


class IntentKind(StrEnum):
    COLLECTION = "collection"
    COMPLAINT = "complaint"
    SCAM = "scam"
    LAWSUIT = "lawsuit"
    COUNSEL = "counsel"
    FEAR = "fear"  # a question people are afraid to ask: limitation period, bankruptcy
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Intent:
    behaviours: tuple[str, ...] = ()  # collection behaviours described, in data-file order
    complaint: bool = False  # asks where or how to complain
    # mentions a 征信修复 (credit repair) offer
    scam: bool = False
    lawsuit: bool = False  # says they are told they will be sued
    # warnings a counsellor would give: "new_loans" (借新还旧), "paid_agents" (代办停息挂账)
    counsel: tuple[str, ...] = ()
    fears: tuple[
        str, ...
    ] = ()  # topics of flows/conversation/fears.py asked about ("过了几年还要还吗")

    @property
    def kind(self) -> IntentKind:
        """The main meaning; a scam mention may come on top of any of them."""
        if self.behaviours:
            return IntentKind.COLLECTION
        if self.complaint:
            return IntentKind.COMPLAINT
        if self.scam:
            return IntentKind.SCAM
        if self.lawsuit:
            return IntentKind.LAWSUIT
        if self.counsel:
            return IntentKind.COUNSEL
        if self.fears:
            return IntentKind.FEAR
        return IntentKind.NONE


NOTHING = Intent()


def normalise(typed: str, ignore: tuple[str, ...] = ()) -> str:
    """Lower-case letters, keep only letters and digits, and drop the phrases to ignore."""
    folded = unicodedata.normalize("NFKC", typed).lower()
    kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")
    for phrase in ignore:
        kept = kept.replace(phrase, "")
    return kept


def classify(typed: str, patterns: IntentPatterns | None) -> Intent:
    if patterns is None:
        return NOTHING
    plain = normalise(typed, patterns.ignore)
    if not plain:
        return NOTHING
    behaviours = tuple(
        behaviour
        for behaviour, regexes in patterns.collection
        if any(r.search(plain) for r in regexes)
    )
    return Intent(
        behaviours=behaviours,
        complaint=any(r.search(plain) for r in patterns.complaint),
        scam=any(r.search(plain) for r in patterns.scam),
        lawsuit=any(r.search(plain) for r in patterns.lawsuit),
        counsel=_counsel(plain, patterns),
        fears=tuple(
            topic for topic, regexes in patterns.fears if any(r.search(plain) for r in regexes)
        ),
    )


def _counsel(plain: str, patterns: IntentPatterns) -> tuple[str, ...]:
    if any(r.search(plain) for r in patterns.counsel_unless):
        return ()
    return tuple(w for w, regexes in patterns.counsel if any(r.search(plain) for r in regexes))


def nav_action(typed: str, patterns: IntentPatterns | None) -> str | None:
    """The navigation button a typed word stands for ("skip", "back", ...), or None."""
    if patterns is None:
        return None
    plain = normalise(typed)
    return next((action for action, words in patterns.nav if plain in words), None)
