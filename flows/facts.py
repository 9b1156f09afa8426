"""The facts a decision may rely on (legal lines, LPR table, complaint channels), as one bundle.

The shell loads them from data/*.toml at start-up; flows only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.collection_facts import ChannelBook, CreditReportFacts, IntentPatterns, RuleBook


@dataclass(frozen=True, slots=True)
class Facts:
    """Parsed data files. Each field is filled by the shell's loader (bot/facts.py)."""

    # ---- step 2: LPR table and legal lines ----
    # ---- steps 5-6: complaint channels, collection rules, intent patterns ----
    complaint_channels: ChannelBook = field(default_factory=ChannelBook)
    collection_rules: RuleBook = field(default_factory=RuleBook)
    intents: IntentPatterns = field(default_factory=IntentPatterns)
    credit_report: CreditReportFacts = field(default_factory=CreditReportFacts)
