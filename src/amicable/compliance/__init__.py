"""The compliance engine: whether a contact may happen, when, and why, with the rule that says so.

Pure: plain Python, no Django, no network. Rule ids and citations follow ../shared/docs/RULES.md
(copied into docs/ as the engine grows). So far: how decisions combine (decision.py), contact-time
windows in every time zone a debtor may be in (time_window.py), the Regulation F validation period
(validation_period.py) and recognising opt-out replies (optout.py).
"""
