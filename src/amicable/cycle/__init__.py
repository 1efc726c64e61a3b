"""The daily contact cycle, database side: the snapshot the planner reads, and (next) the outbox."""
