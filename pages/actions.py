"""Follow-up: every open action by department and owner, overdue first; marking one done."""

from datetime import date

import pandas as pd
import streamlit as st

from integration import access, cases, exports
from services import meetings
from ui import data, views
from ui.frame import current_user, exported, page_setup
from vocabulary import DEPARTMENT_LABELS

user = page_setup(__file__)

st.title("Open actions")
who = current_user()
engine = data.engine()

left, right = st.columns(2)
department = left.selectbox("Department", [None, *DEPARTMENT_LABELS],
                            format_func=lambda d: "All departments" if d is None else DEPARTMENT_LABELS[d])
actions = meetings.open_actions(engine, department=department, as_of=date.today())
owners = sorted({o for o in actions["owner"].dropna()}) if not actions.empty else []
owner = right.selectbox("Owner", [None, *owners], format_func=lambda o: "Everyone" if o is None else o)
if owner:
    actions = actions[actions["owner"] == owner]

if actions.empty:
    st.info("No open actions. Actions are agreed on the Meeting page, per property.")
    st.stop()

overdue = int(actions["overdue"].sum())
figures = st.columns(3)
figures[0].metric("Open actions", f"{len(actions):,}")
figures[1].metric("Overdue", f"{overdue:,}")
figures[2].metric("Properties", f"{actions['property_id'].nunique():,}")

table = pd.DataFrame({
    "Overdue": actions["overdue"].map(lambda late: "overdue" if late else ""),
    "Due": actions["due_on"],
    "What": actions["what"],
    "Owner": actions["owner"],
    "Department": actions["department"].map(cases.department_label),
    "Address": actions["address"],
    "Property": [f"/property?property={pid}" for pid in actions["property_id"]],
})
decides = access.can(user, "edit_cases")
chosen = views.show_table(table, on_select="rerun" if decides else "ignore", selection_mode="multi-row",
                          key="open-actions", date_format="%Y-%m-%d",
                          column_config={"Property": st.column_config.LinkColumn(display_text="Open")})
picked = chosen.selection.rows if decides else []
if decides and st.button(f"Mark {views.plural(len(picked), 'selected action')} done" if picked
                         else "Select actions to mark them done",
                         disabled=not picked, type="primary"):
    meetings.mark_actions_done(engine, [int(actions["action_id"].iloc[row]) for row in picked], who)
    st.rerun()
if access.can(user, "export"):
    shown_filters = {"department": department or "all", "owner": owner or "all"}
    st.download_button("Download CSV", exported("open actions", "CSV", lambda: exports.to_csv(
        table.drop(columns=["Property"]), who, shown_filters)), "open-actions.csv", "text/csv",
        icon=":material/download:", on_click="ignore")
