"""One router per resource. Each view parses its input, finds what it names through scope, calls one
named action inside one transaction, and presents the result: nothing else."""
