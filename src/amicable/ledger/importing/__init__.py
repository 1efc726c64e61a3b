"""CSV import of accounts and payments: read, validate every row, then write in one transaction.

csvfile.py reads bytes into rows; fields.py parses single values (pure); accounts.py and
payments.py validate whole rows against each other and the database, then write.
"""
