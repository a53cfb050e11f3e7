"""Runnable examples: ``python -m numtorch.examples.digits``."""
