"""The console for agents and supervisors: the work queue, each customer's page and timeline, the
call guide, composing one-off messages, and the supervisor's editors and dashboards (docs/console.md)."""
