"""Loaders: department extracts and the property master into storage, matched on the way in.

Entry points: `ingest.ingest(path, department, engine)`, `ingest.prepare()` + `ingest.commit()`
for a preview before storing, `properties.load_properties(path, engine)`, saved column mappings in
`mappings`; command line `python -m loaders`. No Streamlit here.
"""
