"""What a stored form answer must look like before step code turns it into money, dates or
rates: every check takes the encoded (JSON-safe) value and says yes or no, never raises."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ValidationError


def decimal_text(value: Any) -> bool:
    """A finite, non-negative amount written as text ("1500", "0.5") — what money fields store."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return False
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return False
    return number.is_finite() and number >= 0


def iso_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def whole_number(value: Any) -> bool:
    """A count (days, periods): an int, or its digits as text from a button."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and value.isdigit() and len(value) <= 9


def year_month(value: Any) -> bool:
    """'YYYY-MM', as a sale month is stored."""
    return isinstance(value, str) and iso_date(f"{value}-01") and len(value) == 7


def model_of(model: type[BaseModel]) -> Any:
    """A check that the value is the JSON form of `model`."""

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        try:
            model.model_validate(value)
        except ValidationError:
            return False
        return True

    return check
