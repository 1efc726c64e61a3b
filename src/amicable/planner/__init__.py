"""The daily planner: one vectorized pass from a portfolio snapshot to candidate contacts (pure: Polars,
no Django)."""
