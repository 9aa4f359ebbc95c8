"""Exports for finance (docs/product.md §8d): an operator asks (``jobs.create_export``), a
background job writes the CSV file (``jobs.run_export``) from the rows of its kind
(``rows``); ``views`` is what the API shows of an export."""
