"""The test suite; shared helpers live at this level."""
