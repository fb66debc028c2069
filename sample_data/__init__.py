"""Deterministic generator of the synthetic sample city (see sample_data.generate)."""
