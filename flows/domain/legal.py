"""Which legal line applies to a debt, from the data files (facts sections 1-3).

- Private lender (a person, an unlicensed company), contract on or after 2020-08-20: 4 x the
  one-year LPR in force on the contract date (private-lending provisions, art. 25).
- Private lender, contract before 2020-08-20 (including before the LPR existed, 2019-08-20):
  interest up to 2020-08-19 follows the old rules (24%; above 36% void); from 2020-08-20 the
  line is 4 x the LPR when a suit is filed, estimated with today's LPR (art. 31).
- Contract date unknown: 4 x today's LPR, marked as an estimate.
- Licensed lender (bank, consumer finance, microlender): the 24% court reference line of 2017,
  with 36% shown as the line where illegal lending may begin. Licensed lenders are outside the
  private-lending rules (art. 1, para. 2), and so are the seven kinds of local financial
  firms, small-loan companies included (the 2020 reply).
- Unknown lender: not private. The private line is computed (the lowest that could apply) and
  marked `lender_unknown`, with the licensed reference line beside it, so every reply can say
  which line applies if the lender is which, and word the consequence conditionally.
"""

# Sources as cited in Chinese: 民间借贷规定 (the Supreme People's Court provisions on private
# lending cases) 第二十五条 (art. 25), 第三十一条 (art. 31), 第一条第二款 (art. 1 para. 2).

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from flows.domain.facts import Facts, Line, LprChange, LprTable
from flows.domain.ledger import Debt


class LineKind(StrEnum):
    PRIVATE_LPR = "private_lpr"  # 4 x LPR at the contract date
    PRIVATE_OLD_RULES = "private_old_rules"  # contract before 2020-08-20
    PRIVATE_ESTIMATED = "private_estimated"  # contract date unknown: today's LPR
    LICENSED = "licensed"  # 24% reference line


@dataclass(frozen=True, slots=True)
class LegalLine:
    """The line a debt is compared with, and everything a reply must say about it."""

    kind: LineKind
    rate: Decimal  # annual fraction; from 2020-08-20 on for old-rules contracts
    source: str
    mark: str
    lpr: LprChange | None = None  # the LPR the line was built from
    old_rate: Decimal | None = None  # old-rules contracts: the line until the switch day
    switch_day: date | None = None  # old-rules contracts: the new line applies from this day
    newer_lpr_possible: bool = False  # the LPR date is past the day the table was checked
    # Lender not known: this is the private line, and `licensed` the line if it is licensed.
    lender_unknown: bool = False
    licensed: Line | None = None

    @property
    def is_private(self) -> bool:
        """Known to be a private lender: the 4 x LPR line surely applies."""
        return self.kind is not LineKind.LICENSED and not self.lender_unknown


def lpr_on(day: date, table: LprTable) -> LprChange | None:
    """The one-year LPR in force on `day`: the latest change effective on or before it.

    None before the first quote (2019-08-20): there was no LPR then.
    """
    found = None
    for change in table.changes:
        if change.effective <= day:
            found = change
        else:
            break
    return found


def line_for(debt: Debt, facts: Facts, today: date) -> LegalLine | None:
    """The line for this debt; None when the data files are not loaded."""
    if facts.lpr is None or facts.legal is None:
        return None
    legal = facts.legal
    lender = debt.lender_kind
    if lender.licensed:
        reference = legal.licensed_reference
        return LegalLine(LineKind.LICENSED, reference.rate, reference.source, reference.mark)
    private = _private_line(debt, facts, today)
    if private is None or lender.known:
        return private
    return replace(private, lender_unknown=True, licensed=legal.licensed_reference)


def _private_line(debt: Debt, facts: Facts, today: date) -> LegalLine | None:
    assert facts.lpr is not None and facts.legal is not None
    legal = facts.legal
    contract = debt.contract_date
    if contract is not None and contract >= legal.old_rules_before:
        return _private(LineKind.PRIVATE_LPR, contract, facts.lpr, facts)
    line = _private(
        LineKind.PRIVATE_ESTIMATED if contract is None else LineKind.PRIVATE_OLD_RULES,
        today,
        facts.lpr,
        facts,
    )
    if contract is None or line is None:
        return line
    return LegalLine(
        kind=line.kind,
        rate=line.rate,
        source=legal.old_protected.source,
        mark=legal.old_protected.mark,
        lpr=line.lpr,
        old_rate=legal.old_protected.rate,
        switch_day=legal.old_rules_before,
        newer_lpr_possible=line.newer_lpr_possible,
    )


def _private(kind: LineKind, day: date, table: LprTable, facts: Facts) -> LegalLine | None:
    assert facts.legal is not None
    lpr = lpr_on(day, table)
    if lpr is None:
        return None
    return LegalLine(
        kind=kind,
        rate=lpr.rate * facts.legal.private_multiple,
        source=facts.legal.private_source,
        mark=facts.legal.private_mark,
        lpr=lpr,
        newer_lpr_possible=day > table.checked_through,
    )


def line_over_days(line: LegalLine, start: date, end: date) -> Decimal:
    """The line averaged over the days from `start` to `end`: an old-rules contract counts
    the old line for the days before the switch day and the new line after it."""
    if line.old_rate is None or line.switch_day is None or end <= start:
        return line.rate
    total = (end - start).days
    before = max(0, min((line.switch_day - start).days, total))
    return (line.old_rate * before + line.rate * (total - before)) / total
