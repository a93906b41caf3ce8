"""Class mode: collect a class's exported ledgers and report what it predicted."""
