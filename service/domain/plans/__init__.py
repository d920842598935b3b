"""The plans' own tasks tracked (issue #21): each catalogue task's due date read from its timeframe, its
status, progress notes and evidence files, reminders to its lead office, and the report's section on them."""
