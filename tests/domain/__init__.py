"""Tests of flows/domain: money, rates, parsing, the law, budgets and plans."""
