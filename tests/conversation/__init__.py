"""Tests of flows/conversation and flows/dispatcher: the machine, forms, state, reminders' texts."""
