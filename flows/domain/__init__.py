"""Calculations: money, rates, the law, budgets, plans; knows nothing of conversations."""
