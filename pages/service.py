"""Customer service: what residents ask for, how fast the city answers, and who is heard."""

from datetime import timedelta

import streamlit as st

from integration import access, service
from ui import data, planning
from ui import service as view
from ui.frame import current_user, nothing_loaded, page_setup

user = page_setup(__file__)

st.title("Customer service")
st.caption("Requests from the CRM / 311 system: sorted into complaints, inquiries, transfers and permits, with "
           "trends, time to close, transfers, workload and where requests run ahead of other evidence.")
version = data.data_version()
everything = view.requests(version, user)  # staff members and teams only for those who may see them
if everything.empty:
    nothing_loaded("customer-service requests")
    st.stop()

first_day, last_day = everything["created"].min().date(), everything["created"].max().date()
present = set(everything["kind"].unique())
kinds = [kind for kind in service.load_config().kinds if kind in present]
wards = sorted(set(everything["ward"].unique()) - {service.NOT_RECORDED}, key=lambda w: (len(w), w))
default_start = max(first_day, last_day - timedelta(days=89))
with st.expander("Filters", expanded=True, icon=":material/filter_list:"):
    left, middle, right = st.columns([2, 2, 2])
    # Bound to the URL, like the hotspots filters: a copied link reproduces the view.
    period = left.date_input("Created between", (default_start, last_day), min_value=first_day, max_value=last_day,
                             key="created", bind="query-params")
    chosen_kinds = middle.multiselect("Kinds (all when empty)", kinds, key="kind", bind="query-params")
    chosen_wards = right.multiselect("Wards (all when empty)", wards, key="ward", bind="query-params",
                                     help="Only requests placed on a property have a ward; choosing wards leaves "
                                     "the others out.")
days_picked = tuple(period) if isinstance(period, (tuple, list)) else (period,)  # one date while choosing the second
start, end = (days_picked[0], days_picked[-1]) if days_picked else (default_start, last_day)
filters = view.Filters(start=start, end=end, kinds=tuple(chosen_kinds), wards=tuple(chosen_wards))
chosen = filters.within(everything)
who = current_user()
can_export = access.can(user, "export")

if chosen.empty:
    st.info("No request matches these filters. Widen the dates or clear the kinds and wards.", icon=":material/info:")
    st.stop()

view.key_figures(chosen)

tab_names = ["Trends", "Time to close", "Transfers", "Workload", "Equity", "Requests", "Planning"]
tabs = dict(zip(tab_names, st.tabs(tab_names, key="view", bind="query-params")))  # ?view=Equity links a tab

draw = {
    "Trends": lambda: view.trends_tab(everything, chosen, filters, who, can_export),
    "Time to close": lambda: view.time_to_close_tab(everything, chosen, filters, who, can_export),
    "Transfers": lambda: view.transfers_tab(chosen, filters, who, can_export),
    "Workload": lambda: view.workload_tab(user, chosen, filters, who, can_export),
    "Equity": lambda: view.equity_tab(version, chosen, filters, who, can_export),
    "Requests": lambda: view.requests_tab(chosen, filters, who, can_export),
    "Planning": lambda: planning.planning_tab(version, user, who, can_export),
}
for name, tab in tabs.items():
    with tab:
        if tab.open:  # only the tab in view runs
            draw[name]()
