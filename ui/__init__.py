"""The only non-page code that imports streamlit: the page frame, cached data access, chart builders."""
