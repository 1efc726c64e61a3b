"""After-care: thanks once a debt is resolved, a short feedback form behind a signed link, and the
newsletter that only the customer can sign up to."""
