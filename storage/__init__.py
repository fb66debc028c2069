"""Storage: the schema, the engine factory, migrations and the queries, each taking a connection.

Entry points: `engine.create_engine()`, `migrate.upgrade(engine)`, and the query modules by concern:
`property_data`, `department_records`, `loading`, `review_queue`, `casework`, `data_quality`,
`audit_trail`, with `store` holding what they share. No Streamlit here.
"""
