"""The use cases the pages, the command lines and the tests call: no Streamlit; each takes the engine
first, owns its transaction, writes its own audit row and redacts what the viewer may not read.

meetings.start_meeting: a day's meeting with its agenda built, or the day's meeting as it is
meetings.open_meeting: the meeting of a day, created if there is none yet
meetings.current_meeting / close_meeting: the meeting in progress (the latest not closed); closing one
meetings.build_agenda: reopen cases that flag again and write a meeting's agenda from the data
meetings.save_agenda / edit_agenda / add_agenda_item: the lead's agenda: saved, reordered and trimmed, added to
meetings.set_attendees: who attended a meeting
meetings.record_decision: a decision on a property's case, refused if it changed after the version shown
meetings.add_action / mark_action_done / mark_actions_done: a case's actions
meetings.reopen_case: a resolved case back to the team
meetings.minutes: a meeting's minutes
meetings.open_actions: the follow-up list, overdue first
meetings.outcomes: records before and after each case opened
requests.requests: the customer-service requests, staff members and teams only for those who may see them
requests.ward_populations / other_evidence: residents and police and fire records per ward, beside the requests
review.groups / summary: the address strings waiting for a match decision, and how much waits
review.group_records: one address string's records, the fields the viewer may not read blanked
review.candidates / properties_within: a group's candidate properties and the properties around them
review.decisions: the latest match decisions with the property each placed its records on
users.users / add_user / set_role / set_password / disable / enable: accounts, each change audited
users.sessions / end_sessions: the sessions open now (run-out ones ended first), and ending some
users.audit_choices / audit_log: the audit log by who, what and when
loads.history / rejects: the loads so far and the rows one rejected
loads.load: store a prepared extract in one transaction; a database refusal as a LoadError
loads.read_master / plan_master / load_master: a property master file checked, what loading it would change, and
    storing it (one transaction, audited) with every stored record placed again
hotspots.hotspots: the properties scored for a window and its filters, new since the last meeting
hotspots.weekly: the properties overlapping week by week
hotspots.set_institution / remove_institution: the team's institution list, damped or excluded
properties.search_properties: a property by parcel id (one rule: parcel_query) or address, typos forgiven
properties.property_history: a property and its records, redacted for the viewer
properties.explanation: a property's score and its reasons
quality.overview: what is loaded per department, and the properties in the master
quality.quality / frequent_unplaced: match status by month, rejects, addresses not placed
quality.freshness: which department's extract is overdue (the stale-source rule)
properties.matcher: the matcher over the property master as stored
database.open_database: the app server's engine (schema upgraded)
first_run.WHERE_TO_LOAD / first_admin_command / summary: what every empty state says, the first administrator's
    command for the database in use, and what `make run` prints

Command line (python -m services): `agenda --date YYYY-MM-DD` prints a meeting's agenda, built from the
data if it has none; `hotspots [--top N]` the flagged properties.
"""
