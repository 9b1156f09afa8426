"""Tests of flows/steps: what each step of the guide asks, says and remembers."""
