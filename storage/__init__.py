"""Storage: the schema, the engine factory, migrations and repository functions.

Entry points: `engine.create_engine()`, `migrate.upgrade(engine)`, and the functions in
`repository`, which take a connection. No Streamlit here.
"""
