"""A deterministic synthetic portfolio, so a newcomer can see amicable working in one command.

portfolio.py makes the data (pure: same seed and date, same portfolio); load.py writes it through
the same importers and actions a real creditor's data goes through.
"""
