"""The ledger: creditors, customers, contact points, accounts, their journals, holds and the audit log.

money.py and balance.py are pure arithmetic; models/ is persistence; actions.py holds every named
action that changes state; importing/ reads CSV files into it.
"""
