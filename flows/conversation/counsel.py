"""Warnings a debt counsellor would give where the user's words or numbers show it: no new
loans to pay old ones, no paid "debt optimisation" agents, and for a budget that cannot cover
living costs the monthly shortfall with legal aid and local social assistance."""

# e.g. 借新还旧 / 以贷养贷, 代办停息挂账 / 债务优化 / 反催收; 最低生活保障 / 临时救助.

from __future__ import annotations

from decimal import Decimal

from flows.conversation.core import Reply
from flows.domain.budget import Available
from flows.domain.context import Context
from flows.domain.formatting import money_text
from flows.domain.legal_facts import fact_values, legal_facts
from flows.domain.texts import text

# The warnings data/intents.toml [counsel] may name, in the order they are said.
WARNINGS = ("new_loans", "paid_agents")


def warnings(names: tuple[str, ...], ctx: Context) -> tuple[Reply, ...]:
    """One reply per warning the words called for (unknown names are ignored)."""
    return tuple(Reply(text(f"counsel.{name}")) for name in WARNINGS if name in names)


def shortfall(result: Available) -> Decimal:
    """How much a month's income falls short of what living takes (0 when it does not)."""
    return max(Decimal(0), result.reserved - result.income)


def shortfall_reply(result: Available, ctx: Context) -> Reply | None:
    """The monthly shortfall in yuan, legal aid and local social assistance; None when the
    income covers living."""
    missing = shortfall(result)
    if missing <= 0:
        return None
    return Reply(
        text(
            "counsel.shortfall",
            shortfall=money_text(missing),
            income=money_text(result.income),
            reserved=money_text(result.reserved),
            # One legal-aid number for the whole bot: data/legal_facts.toml [fact.legal_aid].
            **fact_values(legal_facts(ctx), "zh-CN", "legal_aid"),
        )
    )
