"""Chart builders: pure functions from tables to Altair charts, no data access.

Legends: every colour in one legend is a different colour (`distinct`: the most frequent categories
each get one of CATEGORY_COLOURS and the rest share OTHER_COLOUR under one "other" entry), and no
legend label is cut short (`legend`: labelLimit=0).
"""

import altair as alt
import pandas as pd

from ui.views import STATUS_LABELS
from vocabulary import DEPARTMENT_LABELS

# Placed records in greens and blues, those still waiting in amber and red.
STATUS_COLOURS = {
    "matched": "#2e7d32",
    "block": "#64b5f6",
    "intersection": "#1565c0",
    "review": "#f9a825",
    "unmatched": "#c62828",
}
# One colour per department, the same on every chart.
DEPARTMENT_COLOURS = dict(zip(DEPARTMENT_LABELS.values(), ["#1f5fa8", "#d9480f", "#2b8a3e", "#7048a8"],
                              strict=True))
# Ten colours told apart at a glance (Tableau 10, reordered so neighbours differ most), then grey for
# everything after them.
CATEGORY_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
                    "#ff9da7", "#17becf"]
OTHER_COLOUR = "#bab0ac"


def legend(**options) -> alt.Legend:
    """A legend whose labels are never cut short."""
    return alt.Legend(labelLimit=0, titleLimit=0, **options)


def distinct(values: pd.Series, other: str = "Other") -> tuple[pd.Series, list[str], list[str]]:
    """`values` with all but the most frequent folded into one "other" entry, the legend's domain (most
    frequent first, the other entry last) and its colours: no two entries share a colour."""
    values = values.fillna("(none)").astype(str)
    counts = values.value_counts(sort=True)
    if len(counts) <= len(CATEGORY_COLOURS):
        kept = counts.index.tolist()
        return values, kept, CATEGORY_COLOURS[:len(kept)]
    kept = counts.index[:len(CATEGORY_COLOURS) - 1].tolist()
    folded = f"{other} ({len(counts) - len(kept)} kinds)"
    return values.where(values.isin(kept), folded), kept + [folded], CATEGORY_COLOURS[:len(kept)] + [OTHER_COLOUR]


def department_colour(field: str, legend: alt.Legend | None = None, title: str = "Department") -> alt.Color:
    """Colour by department name, each department always its own colour."""
    return alt.Color(f"{field}:N", title=title, legend=legend,
                     scale=alt.Scale(domain=list(DEPARTMENT_COLOURS), range=list(DEPARTMENT_COLOURS.values())))


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
                            legend=legend(orient="bottom", columns=3)),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("month:O", title="Month"), alt.Tooltip("label:N", title="Status"),
                     alt.Tooltip("records:Q", title="Records", format=","),
                     alt.Tooltip("share:Q", title="Share", format=".1%")],
        )
        .properties(height=260)
    )
