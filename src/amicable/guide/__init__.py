"""What an agent needs on a call, decided from plain facts about the account (pure: no Django, no
database). The console gathers the facts and shows the guide; the words for the agent are the
console's templates, keyed by what this package decides."""
