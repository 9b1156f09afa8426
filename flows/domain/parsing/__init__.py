"""What people type, turned into values: amounts, rates, dates, names, intents."""
