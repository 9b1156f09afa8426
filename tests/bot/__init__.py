"""Tests of bot/: storage, sending, ordering, limits, settings, rendering, charts, export."""
