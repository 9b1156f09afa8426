"""The facts a decision may rely on (legal lines, LPR table, complaint channels), as one bundle.

The shell loads them from data/*.toml at start-up; flows only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flows.domain.collection_facts import ChannelBook, CreditReportFacts, IntentPatterns, RuleBook
from flows.domain.legal_facts import LegalFacts
from flows.domain.parsing.crisis_words import CrisisFacts

# ---- step 2: LPR table and legal lines (data/lpr.toml, data/legal_limits.toml) ----


@dataclass(frozen=True, slots=True)
class LprChange:
    """From `effective` on, the one-year LPR was `rate` (a fraction: 0.0345 = 3.45%)."""

    effective: date
    rate: Decimal


@dataclass(frozen=True, slots=True)
class LprTable:
    """Every LPR change, oldest first, with where it comes from and how far it was checked."""

    changes: tuple[LprChange, ...]
    source: str
    mark: str
    checked_through: date
    updated: date


@dataclass(frozen=True, slots=True)
class Line:
    """A legal reference line: an annual rate (fraction), its source and verification mark."""

    rate: Decimal
    source: str
    mark: str


@dataclass(frozen=True, slots=True)
class LegalLines:
    """The lines of facts sections 2-3; see data/legal_limits.toml for the wording."""

    private_multiple: Decimal  # x LPR at contract date
    private_source: str
    private_mark: str
    licensed_source: str
    licensed_mark: str
    licensed_reference: Line  # 24%
    criminal_reference: Line  # 36%
    old_rules_before: date  # contracts made before this day: old rules until the day before
    old_protected: Line  # 24% under the old rules
    old_void_above: Line  # 36% under the old rules
    lpr_start: date  # the reformed LPR exists from this day


@dataclass(frozen=True, slots=True)
class Facts:
    """Parsed data files. Each field is filled by the shell's loader (bot/facts.py)."""

    # ---- step 2: LPR table and legal lines ----
    lpr: LprTable | None = None
    legal: LegalLines | None = None
    # ---- steps 5-6: complaint channels, collection rules, intent patterns ----
    complaint_channels: ChannelBook = field(default_factory=ChannelBook)
    collection_rules: RuleBook = field(default_factory=RuleBook)
    intents: IntentPatterns = field(default_factory=IntentPatterns)
    credit_report: CreditReportFacts = field(default_factory=CreditReportFacts)
    # ---- do no harm: crisis words and lines (data/crisis.toml) ----
    crisis: CrisisFacts = field(default_factory=CrisisFacts)
    # ---- named legal facts the replies state (data/legal_facts.toml) ----
    legal_facts: LegalFacts = field(default_factory=LegalFacts)
