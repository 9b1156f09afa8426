"""The CSV export: readable sections in the user's language, every stored row, safe in Excel."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from bot.export import as_csv
from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from flows.conversation.state import UserState
from flows.domain.contact_log import LogEntry
from flows.domain.ledger import Agreement, Debt, DueSpec, LenderKind, RateQuote
from flows.domain.money import Period

LOCALES = Locales.load(PROJECT_ROOT / "locales")


def _stored_rows(locale: str) -> dict[str, list[dict[str, object]]]:
    debts = (
        Debt(
            id=1,
            platform="借呗",
            lender=LenderKind.MICROLENDER,
            borrowed=Decimal(10000),
            rate=RateQuote(per_period=Decimal("0.0005"), period=Period.DAY),
            due=DueSpec.monthly(15),
            days_overdue=40,
            agreement=Agreement(monthly=Decimal(800), first_month="2026-12", months=12),
        ),
        Debt(id=2, platform="=HYPERLINK(1)", lender=LenderKind.PRIVATE),
    )
    log = (
        LogEntry(id=1, on=date(2026, 11, 20), platform="借呗", channel="phone", outcome="refused"),
        LogEntry(
            id=2, kind="incident", on=date(2026, 11, 21), platform="借呗", behaviours=("threats",)
        ),
    )
    state = UserState(locale=locale, debts=debts, next_debt_id=3, contact_log=log, next_log_id=3)
    return {
        "users": [{"user_id": 1, "chat_id": 1, "state": state.model_dump_json(), "active": 1}],
        "quarantine": [{"id": 7, "user_id": 1, "state": "{}", "reason": "bad json", "saved_at": 0}],
        "reminders": [
            {"user_id": 1, "debt_id": 1, "due_date": "2026-12-15", "lead": 3, "fire_at": 1765500000}
        ],
        "reminders_sent": [
            {
                "user_id": 1,
                "debt_id": 1,
                "due_date": "2026-11-15",
                "lead": 0,
                "fire_at": 1763168400,
                "outcome": "sent",
            }
        ],
    }


def _csv_rows(locale: str) -> list[list[str]]:
    data = as_csv(_stored_rows(locale), LOCALES.get(locale)).decode("utf-8")
    assert data.startswith("\ufeff")  # Excel reads UTF-8 Chinese only with the mark
    return list(csv.reader(io.StringIO(data.removeprefix("\ufeff"))))


def test_the_csv_has_a_readable_section_per_record_with_headers_in_chinese():
    # Before: one line per stored value, "users,1,state.debts[0].rate.per_period,0.0005".
    rows = _csv_rows("zh-CN")
    titles = [r[0] for r in rows if len(r) == 1 and r[0].startswith("【")]
    assert titles[:5] == [
        "【债务清单】",
        "【沟通和催收记录】",
        "【还款记录】",
        "【待发送的还款提醒】",
        "【已处理的还款提醒】",
    ]
    debt_header = rows[1]
    assert debt_header[:3] == ["编号", "平台", "出借方"] and "逾期天数" in debt_header
    first_debt = dict(zip(debt_header, rows[2], strict=True))
    assert first_debt["平台"] == "借呗" and first_debt["出借方"] == "小额贷款公司 / 网络小贷"
    assert first_debt["合同金额（元）"] == "10000.00"
    assert first_debt["利率"] == "日利率 0.05%（单利年化约 18.25%）"  # as the debt list shows it
    assert first_debt["还款日"] == "每月 15 号" and first_debt["逾期天数"] == "40"
    assert first_debt["谈好的分期"] == "每月 800 元，从 2026-12 开始，共 12 个月（合计 9,600 元）"
    flat = [cell for row in rows for cell in row]
    assert "威胁、恐吓" in flat and "电话" in flat and "拒绝了" in flat
    assert "提前 3 天" in flat and "已发送" in flat
    assert not any("state.debts[0].rate" in cell for cell in flat)  # shown above, not twice
    assert not any("state.debts[0].agreement" in cell for cell in flat)


def test_the_csv_follows_the_users_language():
    rows = _csv_rows("en")
    assert rows[0] == ["[Debts]"] and rows[1][:2] == ["No.", "Platform"]


def test_the_csv_still_holds_every_stored_row():
    rows = _csv_rows("zh-CN")
    flat = [cell for row in rows for cell in row]
    assert flat.count("借呗") >= 4  # the debt, two log entries, the reminders by platform
    assert "2026-12-15" in flat and "2026-11-15" in flat  # both reminder rows
    assert ["quarantine", "1", "reason", "bad json"] in rows  # no section of its own: raw
    assert any(cell.startswith("state.debts[0].reminders") for cell in flat)  # not shown above


def test_a_name_that_looks_like_a_formula_stays_text_in_excel():
    flat = [cell for row in _csv_rows("zh-CN") for cell in row]
    assert "'=HYPERLINK(1)" in flat and "=HYPERLINK(1)" not in flat


def test_the_reminders_in_the_csv_are_listed_in_the_order_they_will_be_sent():
    # Before: for each due date the day itself came first and "3 days before" last.
    state = UserState(debts=(Debt(id=1, platform="借呗", due=DueSpec.monthly(15)),), next_debt_id=2)
    fire = {0: 1797296400, 1: 1797210000, 3: 1797037200}  # 15th, 14th, 12th Dec 2026, 09:00
    rows = {
        "users": [{"user_id": 1, "chat_id": 1, "state": state.model_dump_json(), "active": 1}],
        "reminders": [
            {"user_id": 1, "debt_id": 1, "due_date": "2026-12-15", "lead": lead, "fire_at": at}
            for lead, at in fire.items()
        ],
    }
    data = as_csv(rows, LOCALES.get("zh-CN")).decode("utf-8").removeprefix("\ufeff")
    times = [row[3] for row in csv.reader(io.StringIO(data)) if row[:1] == ["借呗"]]
    assert times == ["2026-12-12 09:00", "2026-12-14 09:00", "2026-12-15 09:00"]
