"""amicable: debt-recovery communication that is lawful, explained and kind."""

__version__ = "0.1.0"
