"""Choosing the time zone in the reminder settings (/reminders -> 「时区：北京时间」), and the
schedule following the chosen zone, in the pure machine and in the stored schedule."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.locale import Locales
from bot.settings import PROJECT_ROOT
from bot.storage.sqlite import Storage
from flows.conversation.core import Button, ButtonPress
from flows.conversation.reminders import schedule
from flows.conversation.state import UserState
from flows.domain.context import Context
from flows.domain.ledger import Debt, DueSpec
from flows.steps.reminders import ZONE_CHOICES
from tests.driver import Driver

LOCALES = Locales.load(PROJECT_ROOT / "locales")
ZONES = [zone for zone, _label in ZONE_CHOICES]


def user(*debts: Debt, **fields: object) -> UserState:
    return UserState(started=True, debts=debts, next_debt_id=len(debts) + 1, **fields)


def due_on_27th() -> Debt:
    return Debt(id=1, platform="借呗", due=DueSpec.monthly(27))


def at_zone_screen(ctx: Context, state: UserState) -> Driver:
    driver = Driver(ctx, state)
    driver.command("reminders")
    driver.press("reminders.settings.zone_button")
    return driver


def zone_option(driver: Driver, zone: str) -> Button:
    return next(b for b in driver.buttons if b.data.endswith(f"z:{zone}"))


def choose(driver: Driver, zone: str) -> None:
    driver.send(ButtonPress(zone_option(driver, zone).data))


def test_the_overview_says_beijing_time_by_default_next_to_the_hour(ctx: Context):
    driver = Driver(ctx, user(due_on_27th()))
    driver.command("reminders")
    assert driver.outcome.replies[0].text.values["zone"].key == "reminders.zone.shanghai"
    zone_button = driver.button("reminders.settings.zone_button")
    assert zone_button.label.values["zone"].key == "reminders.zone.shanghai"
    hour_row = next(row for row in driver.outcome.replies[0].buttons if zone_button in row)
    assert [b.label.key for b in hour_row] == [
        "reminders.settings.hour_button",
        "reminders.settings.zone_button",
    ]


def test_the_zone_list_offers_the_common_zones_with_their_clock_now(ctx: Context):
    driver = at_zone_screen(ctx, user(due_on_27th()))
    assert driver.where == ("reminders", "zone")
    options = [b for b in driver.buttons if "|z:" in b.data]
    assert [b.data.split("|z:")[1] for b in options] == ZONES
    assert [b.label.key for b in options] == [
        "reminders.settings.zone_option_chosen",
        *["reminders.settings.zone_option"] * (len(ZONES) - 1),
    ]
    # 10:00 in Shanghai is 02:00 in London and 21:00 the day before in New York.
    clocks = {b.data.split("|z:")[1]: b.label.values["time"] for b in options}
    assert (clocks["Asia/Shanghai"], clocks["Europe/London"]) == ("10:00", "02:00")
    assert clocks["America/New_York"] == "21:00"
    assert {"nav.back", "nav.menu"} <= {b.label.key for b in driver.buttons}


def test_choosing_a_zone_saves_it_and_the_overview_names_it(ctx: Context):
    driver = at_zone_screen(ctx, user(due_on_27th()))
    choose(driver, "Asia/Tokyo")
    assert driver.state.timezone == "Asia/Tokyo"
    assert driver.where == ("reminders", "overview")
    assert driver.keys == ["reminders.settings.zone_set", "reminders.settings.overview"]
    said, overview = driver.outcome.replies
    assert said.text.values["zone"].key == "reminders.zone.tokyo"
    assert overview.text.values["zone"].key == "reminders.zone.tokyo"
    zone_button = driver.button("reminders.settings.zone_button")
    assert zone_button.label.values["zone"].key == "reminders.zone.tokyo"


def test_the_chosen_zone_is_ticked_when_the_list_is_opened_again(ctx: Context):
    driver = at_zone_screen(ctx, user(due_on_27th(), timezone="Europe/London"))
    assert zone_option(driver, "Europe/London").label.key == "reminders.settings.zone_option_chosen"
    assert zone_option(driver, "Asia/Shanghai").label.key == "reminders.settings.zone_option"


@pytest.mark.parametrize(
    "forged",
    ["Europe/Paris", "Mars/Olympus", "", "asia/tokyo", "Asia/Tokyo ", "x" * 300, "0"],
)
def test_a_forged_zone_changes_nothing(ctx: Context, forged: str):
    driver = at_zone_screen(ctx, user(due_on_27th()))
    driver.send(ButtonPress(f"{driver.state.prompt_seq}|z:{forged}"))
    assert driver.keys[0] == "common.unknown_button"
    assert driver.state.timezone == "Asia/Shanghai"
    assert driver.where == ("reminders", "zone")


def test_back_from_the_zone_list_keeps_the_zone(ctx: Context):
    driver = at_zone_screen(ctx, user(due_on_27th(), timezone="Asia/Singapore"))
    driver.press("nav.back")
    assert driver.where == ("reminders", "overview")
    assert driver.state.timezone == "Asia/Singapore"
    assert driver.outcome.replies[-1].text.values["zone"].key == "reminders.zone.singapore"


def test_the_zone_can_be_chosen_before_any_debt_has_a_due_date(ctx: Context):
    driver = Driver(ctx, user(Debt(id=1, platform="借呗")))
    driver.command("reminders")
    assert driver.keys == ["reminders.settings.none"]
    driver.press("reminders.settings.zone_button")
    choose(driver, "America/Los_Angeles")
    assert driver.state.timezone == "America/Los_Angeles"
    assert driver.keys == ["reminders.settings.zone_set", "reminders.settings.none"]
    none = driver.outcome.replies[-1].text
    assert none.values["zone"].key == "reminders.zone.los_angeles"


def test_every_screen_naming_the_hour_names_the_zone(ctx: Context):
    driver = Driver(ctx, user(due_on_27th(), timezone="Asia/Dubai"))
    driver.command("reminders")
    driver.press("reminders.settings.of")
    assert driver.outcome.replies[0].text.values["zone"].key == "reminders.zone.dubai"
    driver.press("reminders.settings.hour_button")
    driver.send(ButtonPress(next(b.data for b in driver.buttons if b.data.endswith("h:20"))))
    assert driver.keys[0] == "reminders.settings.hour_set"
    assert driver.outcome.replies[0].text.values["zone"].key == "reminders.zone.dubai"


def test_a_zone_not_offered_shows_as_its_name_and_an_unknown_one_as_beijing_time(ctx: Context):
    # DEFAULT_TIMEZONE may give a zone the list lacks; a broken stored zone falls back.
    driver = Driver(ctx, user(due_on_27th(), timezone="Europe/Paris"))
    driver.command("reminders")
    assert driver.outcome.replies[0].text.values["zone"] == "Europe/Paris"
    driver = Driver(ctx, user(due_on_27th(), timezone="Mars/Olympus"))
    driver.command("reminders")
    assert driver.outcome.replies[0].text.values["zone"].key == "reminders.zone.shanghai"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_offered_zone_is_real_and_has_a_label(locale: str):
    messages = LOCALES.get(locale).messages
    for zone, label in ZONE_CHOICES:
        assert ZoneInfo(zone).key == zone
        assert f"reminders.zone.{label}" in messages
    assert ZONES[0] == "Asia/Shanghai"
    assert len(set(ZONES)) == len(ZONES)


@pytest.mark.parametrize("zone", ZONES)
def test_after_choosing_a_zone_the_next_reminder_fires_at_the_hour_there(ctx: Context, zone: str):
    driver = at_zone_screen(ctx, user(due_on_27th(), reminder_hour=20))
    choose(driver, zone)
    upcoming = sorted(r.fire_at for r in schedule(driver.state, ctx.now) if r.fire_at >= ctx.now)
    local = upcoming[0].astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute) == (20, 0)
    assert all(
        r.fire_at.astimezone(ZoneInfo(zone)).hour == 20 for r in schedule(driver.state, ctx.now)
    )


def stored_fire_times(database: Path, zone: str) -> list[datetime]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT fire_at FROM reminders ORDER BY fire_at").fetchall()
    return [datetime.fromtimestamp(at, UTC).astimezone(ZoneInfo(zone)) for (at,) in rows]


async def test_changing_the_zone_moves_the_stored_schedule(ctx: Context, database: Path):
    """The storage rebuilds the schedule from the state on every save."""
    storage = await Storage.open(database)
    try:
        driver = at_zone_screen(ctx, user(due_on_27th()))
        await storage.save(7, 70, driver.state, now=ctx.now)
        before = stored_fire_times(database, "Asia/Shanghai")
        choose(driver, "America/New_York")
        await storage.save(7, 70, driver.state, now=ctx.now)
        after = stored_fire_times(database, "America/New_York")
    finally:
        await storage.close()
    shanghai, new_york = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")
    # Now is 24 Nov 10:00 in Shanghai, so today's 9:00 (3 days before the 27th) has passed;
    # it is 23 Nov 21:00 in New York, where 3 days before is still to come.
    assert before[0] == datetime(2026, 11, 26, 9, 0, tzinfo=shanghai)
    assert after[0] == datetime(2026, 11, 24, 9, 0, tzinfo=new_york)
    assert len(after) > 1 and all((f.hour, f.minute) == (9, 0) for f in after)
