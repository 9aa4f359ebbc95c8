"""Exports for finance (issue 19): an operator asks (``jobs.create_export``), a background
job writes the CSV file (``jobs.run_export``) from the rows of its kind (``rows``)."""
