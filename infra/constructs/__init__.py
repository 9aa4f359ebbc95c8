"""Small CDK constructs of the stack (not to be confused with the ``constructs`` library)."""
