"""Messages: templates rendered in a sandbox, the elements the rules require, and checks (pure)."""
