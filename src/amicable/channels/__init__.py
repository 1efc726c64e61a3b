"""Channels: one module per way of reaching someone, all with the same shape (base.Channel).

email.py   SMTP through Django's email backends, or .eml files (embedded default)
sms.py     a sandbox that records texts in the database, and a Twilio-compatible REST adapter
letter.py  letters rendered to PDF with WeasyPrint, collected into a daily print batch
call.py    call tasks for agents: nothing is sent automatically
"""
