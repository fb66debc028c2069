"""The use cases the pages, the command lines and the tests call: no Streamlit; each takes the engine
first, owns its transaction, writes its own audit row and redacts what the viewer may not read.

meetings.open_meeting: the meeting of a day, created if there is none yet
meetings.build_agenda: reopen cases that flag again and write a meeting's agenda from the data
meetings.save_agenda / edit_agenda / reorder_agenda / drop_agenda_item / add_agenda_item: the lead's agenda
meetings.set_attendees: who attended a meeting
meetings.record_decision: a decision on a property's case, refused if it changed after the version shown
meetings.add_action / mark_action_done / mark_actions_done: a case's actions
meetings.reopen_case: a resolved case back to the team
meetings.minutes: a meeting's minutes
meetings.open_actions: the follow-up list, overdue first
meetings.outcomes: records before and after each case opened
"""
