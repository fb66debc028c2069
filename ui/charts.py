"""Chart builders: pure functions from tables to Altair charts, no data access."""

import altair as alt
import pandas as pd

from ui.views import STATUS_LABELS

# Placed records in greens and blues, those still waiting in amber and red.
STATUS_COLOURS = {
    "matched": "#2e7d32",
    "block": "#64b5f6",
    "intersection": "#1565c0",
    "review": "#f9a825",
    "unmatched": "#c62828",
}


def status_share_by_month(months: pd.DataFrame) -> alt.Chart:
    """Stacked bars, one per month (month, status, records): the share of records in each match status."""
    order = list(STATUS_COLOURS)
    frame = months.assign(
        label=months["status"].map(STATUS_LABELS).fillna(months["status"]),
        order=months["status"].map({status: i for i, status in enumerate(order)}),
        share=months["records"] / months.groupby("month")["records"].transform("sum"),
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("month:O", title=None, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(records):Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
            color=alt.Color("label:N", title="Match status",
                            scale=alt.Scale(domain=[STATUS_LABELS[s] for s in order], range=list(STATUS_COLOURS.values())),
                            legend=alt.Legend(orient="bottom")),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("month:O", title="Month"), alt.Tooltip("label:N", title="Status"),
                     alt.Tooltip("records:Q", title="Records", format=","),
                     alt.Tooltip("share:Q", title="Share", format=".1%")],
        )
        .properties(height=260)
    )
