"""Storage behind one interface: SQLite (embedded default) and PostgreSQL (DATABASE_URL)."""
