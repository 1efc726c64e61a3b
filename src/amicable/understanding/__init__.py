"""Understanding what people write back (pure): the reply's own words, its intent, dates and amounts."""
