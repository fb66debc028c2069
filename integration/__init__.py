"""Pure domain logic: address normalisation, matching, scoring, cases. Never imports streamlit."""

from integration.address import normalize

__all__ = ["normalize"]
