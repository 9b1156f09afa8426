"""The user's debts as data: one `Debt` per platform, every field optional but the name.

Parsers in flows/domain/parsing/ produce these values; the debts step stores them; the legal check,
the plan and the reminders read them. Money is Decimal yuan; every rate names its period.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from flows.domain.models import Frozen
from flows.domain.money import Period, Rate

# An agreed arrangement longer than ten years is not one the plan (ten years at most) can keep.
MAX_AGREED_MONTHS = 120


class LenderKind(StrEnum):
    """Who lent: decides which legal line applies (facts §2–§3).

    Unknown is not private: most online-loan lenders are licensed (banks, consumer finance,
    small-loan companies), outside the private-lending rules, so an unknown lender gets every
    line that could apply, worded conditionally (flows/domain/legal.py).
    """

    BANK = "bank"  # bank loans
    CREDIT_CARD = "credit_card"  # a bank's credit card: the only debt with 个性化分期 (art. 70)
    # 持牌消费金融公司: licensed consumer finance companies
    CONSUMER_FINANCE = "consumer_finance"
    # 小额贷款公司 / 网络小贷 (microlenders, online microlenders) and other local financial
    # organisations
    MICROLENDER = "microlender"
    PRIVATE = "private"  # a person or an unlicensed company
    UNKNOWN = "unknown"  # not known yet: could be any of the above

    @property
    def licensed(self) -> bool:
        return self not in (LenderKind.PRIVATE, LenderKind.UNKNOWN)

    @property
    def known(self) -> bool:
        return self is not LenderKind.UNKNOWN

    @property
    def may_report_credit(self) -> bool:
        """Whether being overdue may show in the PBOC credit report (征信): banks, credit cards
        and licensed lenders report to it, a private lender may not. Unknown is treated
        cautiously: it may be a licensed lender. Said conditionally ("may")."""
        return self is not LenderKind.PRIVATE


# Stored before private and unknown were told apart: "a person, unlicensed, or not sure" can
# only be read as not known.
LEGACY_LENDER_VALUES = {"private_or_unknown": LenderKind.UNKNOWN.value}


class RateQuote(Frozen):
    # e.g. 日息万五 = RateQuote(per_period=0.0005, period=day)
    """A rate as the user knows it, e.g. 0.05% a day = RateQuote(per_period=0.0005, period=day)."""

    per_period: Decimal = Field(ge=0)
    period: Period

    def rate(self) -> Rate:
        return Rate(self.per_period, self.period)

    @classmethod
    def of(cls, rate: Rate) -> RateQuote:
        return cls(per_period=rate.per_period, period=rate.period)


class InstallmentTerms(Frozen):
    """An installment loan: `periods` payments of `payment` yuan, one per `period`."""

    payment: Decimal = Field(gt=0)
    periods: int = Field(gt=0, le=600)
    period: Period = Period.MONTH


class PenaltyRule(Frozen):
    """What lateness costs: a daily penalty rate on the overdue amount and/or a fixed fee."""

    daily_rate: Decimal | None = Field(default=None, ge=0)
    fixed_fee: Decimal | None = Field(default=None, ge=0)


class DueSpec(Frozen):
    """When payment is due: every month on a day (31 = the month's last day), or once."""

    day_of_month: int | None = Field(default=None, ge=1, le=31)
    on_date: date | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> DueSpec:
        if (self.day_of_month is None) == (self.on_date is None):
            raise ValueError("a due spec is either a monthly day or a single date")
        return self

    @classmethod
    def monthly(cls, day: int) -> DueSpec:
        return cls(day_of_month=day)

    @classmethod
    def once(cls, on: date) -> DueSpec:
        return cls(on_date=on)


class Agreement(Frozen):
    """An installment arrangement agreed with the lender after negotiating: `monthly` yuan a
    month, `months` payments from `first_month` ('YYYY-MM'). The plan keeps it current, like a
    contract's installment, and repays what was agreed."""

    monthly: Decimal = Field(gt=0, le=Decimal("10000000"))
    first_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    months: int = Field(ge=1, le=MAX_AGREED_MONTHS)

    @property
    def total(self) -> Decimal:
        return self.monthly * self.months

    def months_left(self, today: date) -> int:
        """The payments still to make from the month of `today` on; the months before it are
        taken as paid as agreed (0: the arrangement is over)."""
        year, month = (int(part) for part in self.first_month.split("-"))
        elapsed = (today.year * 12 + today.month) - (year * 12 + month)
        return max(0, self.months - max(0, elapsed))

    def first_due_offset(self, today: date) -> int:
        """How many months after the month of `today` the first payment falls (0: this month or
        earlier)."""
        year, month = (int(part) for part in self.first_month.split("-"))
        return max(0, (year * 12 + month) - (today.year * 12 + today.month))


DEFAULT_LEADS = (3, 1, 0)


class ReminderPrefs(Frozen):
    """Per debt: remind this many days before each due date (0 = on the day), or not at all."""

    enabled: bool = True
    leads_days: tuple[int, ...] = DEFAULT_LEADS


class Debt(Frozen):
    id: int = Field(ge=1)
    platform: str = Field(min_length=1, max_length=30)
    lender: LenderKind | None = None  # None: not asked or skipped, the same as UNKNOWN
    contract_date: date | None = None
    borrowed: Decimal | None = Field(default=None, gt=0)  # the amount on the contract
    # money actually received: less than borrowed when interest is taken up front (砍头息)
    received: Decimal | None = Field(default=None, gt=0)
    remaining_principal: Decimal | None = Field(default=None, ge=0)
    rate: RateQuote | None = None
    installments: InstallmentTerms | None = None
    penalty: PenaltyRule | None = None
    due: DueSpec | None = None
    days_overdue: int | None = Field(default=None, ge=0, le=36500)
    owed_now: Decimal | None = Field(default=None, ge=0)
    # What it asks each month when there is no installment schedule: a credit card's minimum
    # payment (最低还款额), a revolving loan's amount due this month. The plan keeps it current.
    minimum_payment: Decimal | None = Field(default=None, gt=0)
    paid_off: bool = False
    # An installment arrangement agreed with the lender (None: none recorded; older states).
    agreement: Agreement | None = None
    reminders: ReminderPrefs = Field(default_factory=ReminderPrefs)

    @field_validator("lender", mode="before")
    @classmethod
    def _legacy_lender(cls, value: object) -> object:
        return LEGACY_LENDER_VALUES.get(value, value) if isinstance(value, str) else value

    @property
    def lender_kind(self) -> LenderKind:
        """The lender kind, UNKNOWN when not answered."""
        return self.lender or LenderKind.UNKNOWN

    @property
    def principal(self) -> Decimal | None:
        # 民法典 第六百七十条: Civil Code art. 670
        """The principal the law counts: the money actually received, if known (Civil Code 670)."""
        return self.received or self.borrowed

    @property
    def cleared(self) -> bool:
        """Nothing left to repay: marked paid off, or no principal left and nothing else owed.
        Neither planned nor reminded."""
        return self.paid_off or (self.remaining_principal == 0 and not self.owed_now)

    @property
    def overdue(self) -> bool:
        return bool(self.days_overdue)
