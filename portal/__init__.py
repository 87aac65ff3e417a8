"""The top layer: role homes, accounts, figures, dashboards, ledgers and their runs, reminders, jobs."""
