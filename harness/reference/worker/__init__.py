"""A job-worker runtime for one business unit: pyzeebe workers taking their downstream credential from Vault."""
