"""What the bot says about collection and complaints, wherever it is asked: the channels that
fit, why a behaviour is unlawful (with its law and verification mark), the evidence to keep,
and the "credit repair" scam warning. Used by the interruptions, /complaint and the collection
step.
"""

# The scam is offered as 征信修复 (credit repair).

from __future__ import annotations

from collections.abc import Iterable

from flows.conversation.core import Button, Reply
from flows.domain.collection_facts import (
    Behaviour,
    Channel,
    ChannelBook,
    CreditReportFacts,
    Law,
    RuleBook,
)
from flows.domain.context import Context
from flows.domain.legal_facts import fact_values, legal_facts
from flows.domain.texts import Text, Value, text

MARK_KEYS = {"VERIFIED": "verified", "VERIFIED-2nd": "second", "UNVERIFIED": "unverified"}
ALL_TOPICS = ("any",)


def channel_book(ctx: Context) -> ChannelBook:
    book = getattr(ctx.facts, "complaint_channels", None)
    return book if isinstance(book, ChannelBook) else ChannelBook()


def rule_book(ctx: Context) -> RuleBook:
    book = getattr(ctx.facts, "collection_rules", None)
    return book if isinstance(book, RuleBook) else RuleBook()


def credit_facts(ctx: Context) -> CreditReportFacts:
    found = getattr(ctx.facts, "credit_report", None)
    return found if isinstance(found, CreditReportFacts) else CreditReportFacts()


def mark(verification: str) -> Text:
    return text(f"guidance.mark.{MARK_KEYS.get(verification, 'unverified')}")


def behaviour_label(behaviour_id: str) -> Text:
    return text(f"collection.behaviour.{behaviour_id}")


def evidence_lines(evidence: Iterable[str]) -> tuple[Text, ...]:
    return tuple(
        text("guidance.evidence_line", item=text(f"collection.evidence.{e}")) for e in evidence
    )


# ---- channels -------------------------------------------------------------------------------


def _channel_line(channel: Channel, locale: str) -> Text:
    return text(
        "guidance.channel_line",
        name=channel.name.get(locale),
        purpose=channel.purpose.get(locale),
        reach=channel.reach.get(locale),
        mark=_channel_mark(channel.mark),
    )


def _channel_mark(verification: str) -> Text:
    # "拨打 110（未核实）" would make a frightened user doubt calling the police: for a channel
    # "unverified" means its exact remit, so it is worded as "ask the official source".
    if MARK_KEYS.get(verification, "unverified") == "unverified":
        return text("guidance.mark.channel_unverified")
    return mark(verification)


def channels_reply(
    ctx: Context,
    locale: str,
    topics: tuple[str, ...] = ALL_TOPICS,
    lender: str | None = None,
    buttons: tuple[tuple[Button, ...], ...] = (),
) -> Reply:
    """The channels fitting these behaviours and this lender kind, with the date checked."""
    book = channel_book(ctx)
    channels = book.channels if topics == ALL_TOPICS else book.fitting(topics, lender)
    if not channels:
        return Reply(text("guidance.no_channels", police=police(ctx)), buttons)
    checked = book.checked_on.isoformat() if book.checked_on else "—"
    lines = tuple(_channel_line(c, locale) for c in channels)
    values: dict[str, Value] = {"channels": lines, "checked_on": checked, "police": police(ctx)}
    return Reply(text("guidance.channels", **values), buttons)


# ---- behaviours -----------------------------------------------------------------------------


def _law_lines(behaviour: Behaviour, locale: str, shown: set[str] | None = None) -> Value:
    if not behaviour.laws:
        return text("guidance.no_law")
    # A caveat shared by several laws (e.g. "revised since") is said once per answer.
    said = shown if shown is not None else set()
    lines = []
    for law in behaviour.laws:
        name = law.name.get(locale)
        if shown is not None and name in shown:
            # Already quoted for an earlier behaviour of the same answer: name it only.
            lines.append(text("guidance.law_again", name=name))
            continue
        if shown is not None:
            shown.add(name)
        lines.append(
            text(
                "guidance.law_line",
                name=name,
                says=law.says.get(locale),
                mark=mark(law.mark),
                caveat=_caveat(law, locale, said),
            )
        )
    return tuple(lines)


def _caveat(law: Law, locale: str, said: set[str]) -> Value:
    if law.caveat is None:
        return ""
    note = law.caveat.get(locale)
    if f"caveat:{note}" in said:
        return ""
    said.add(f"caveat:{note}")
    return text("guidance.law_caveat", note=note)


def behaviour_reply(behaviour: Behaviour, locale: str, shown_laws: set[str] | None = None) -> Reply:
    """Whether it is unlawful and why, the laws with their marks, the evidence to keep.
    `shown_laws` collects the laws quoted in full so far in the same answer."""
    return Reply(
        text(
            "guidance.behaviour",
            label=behaviour_label(behaviour.id),
            verdict=text(f"guidance.verdict.{behaviour.verdict}"),
            why=behaviour.why.get(locale),
            why_mark=mark(behaviour.why_mark) if not behaviour.laws else "",
            laws=_law_lines(behaviour, locale, shown_laws),
            evidence=evidence_lines(behaviour.evidence),
        )
    )


def behaviours_of(ctx: Context, ids: Iterable[str]) -> tuple[Behaviour, ...]:
    book = rule_book(ctx)
    wanted = set(ids)
    return tuple(b for b in book.behaviours if b.id in wanted)


# ---- scam -----------------------------------------------------------------------------------


# The facts the court answer states (data/legal_facts.toml).
COURT_FACTS = (
    "court_hotline",
    "legal_aid",
    "criminal_law",
    "crim_art_refuse",
    "crim_art_card",
    "police",
)
CREDIT_FACTS = (
    "credit_rule",
    "credit_art_retention",
    "credit_art_objection",
    "credit_art_complaint",
    "credit_art_notice",
    "credit_art_reports",
    "credit_center_phone",
    "pboc_hotline",
)


def lawsuit_note(ctx: Context, locale: str = "zh-CN") -> Reply:
    """Calm facts for someone told they will be sued or arrested ("会坐牢吗"): a suit is civil;
    失信 and 限制高消费 only after an unpaid judgment one could pay; which acts are crimes."""
    return Reply(text("guidance.lawsuit", **fact_values(legal_facts(ctx), locale, *COURT_FACTS)))


def scam_warning(ctx: Context, locale: str = "zh-CN") -> Reply:
    """ "征信能修复吗": only wrong records can be corrected (objection, free); paid repair is a
    scam."""
    numbers = credit_facts(ctx)
    return Reply(
        text(
            "guidance.scam_warning",
            years=numbers.retention_years,
            days=numbers.dispute_days,
            reports=numbers.free_reports_per_year,
            **fact_values(legal_facts(ctx), locale, *CREDIT_FACTS),
        )
    )


def police(ctx: Context) -> str:
    """The police number, from the data (never typed into a locale string)."""
    return legal_facts(ctx).value("police", "zh-CN")
