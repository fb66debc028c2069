"""The hotspots page's "Heading for the list" view: the stored early-warning list, how often it was
right before (the backtest), and the wards it over- or under-represents. Reads stored scores only."""

import pandas as pd
import streamlit as st

from integration.early_warning import FAIRNESS_BAND, HORIZON_DAYS, RANKING_LABELS, training_window_text
from services import early_warning as service
from services import first_run
from ui import data

SHOWN = 100
COLUMNS = ["Rank", "Open", "Address", "Model estimate", "Why", "Ward", "Score now", "Nuisance calls"]


@st.cache_data(max_entries=4, show_spinner=False)
def listed(run_id: int, ranking: str, top: int) -> pd.DataFrame:
    """The stored list of a run: keyed by the run, so a retraining shows at the next page run."""
    return service.heading_for_the_list(data.engine(), top, ranking)


def table(heading: pd.DataFrame) -> pd.DataFrame:
    """The list as the view shows it: each row opens its property like the ranked list's."""
    return pd.DataFrame({
        "Rank": heading["rank"].astype(int).to_numpy(),
        "Open": ("/property?property=" + heading["property_id"].astype(str)).to_numpy(),
        "Address": heading["address"].to_numpy(),
        "Model estimate": heading["probability"].to_numpy(dtype=float) * 100,
        "Why": [" · ".join(lines) for lines in heading["reasons"]],
        "Ward": heading["ward"].to_numpy(),
        "Score now": heading["score"].to_numpy(dtype=float),
        "Nuisance calls": heading["nuisance_calls"].astype(int).to_numpy(),
        "Property id": heading["property_id"].to_numpy(),
    })


def backtest_table(latest: service.Latest) -> pd.DataFrame:
    """Per ranking: the median and range of precision at 25, and the medians of precision at 100,
    recall at 100 and AUC over the backtest's windows."""
    summary = latest.summary
    rows = []
    for name in summary.index:
        def figure(kind, measure):
            return summary.loc[name, (kind, measure)]
        rows.append({
            "Ranking": RANKING_LABELS[name].capitalize() + (" (shown)" if name == latest.ranking else ""),
            "Top 25 right": f"{figure('median', 'precision_25'):.0%} ({figure('low', 'precision_25'):.0%} to "
                            f"{figure('high', 'precision_25'):.0%})",
            "Top 100 right": f"{figure('median', 'precision_100'):.0%}",
            "Share of new hotspots in top 100": f"{figure('median', 'recall_100'):.0%}",
            "AUC": f"{figure('median', 'auc'):.2f}",
        })
    return pd.DataFrame(rows)


def fairness_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return pd.DataFrame({
        "Ward": frame["ward"], "Share of the top 100": frame["top_share"].map("{:.1%}".format),
        "Share of new hotspots": frame["hotspot_share"].map("{:.1%}".format),
        "Ratio": frame["ratio"].map(lambda r: "no hotspots" if r is None else f"{r:.2f}"),
        "Flag": frame["flag"],
    })


def view() -> None:
    """Draw the view from the latest stored run (nothing is trained or scored here)."""
    latest = service.latest(data.engine())
    if latest is None:
        command, elided = first_run.database_command(data.engine().url.render_as_string(hide_password=False),
                                                      ".venv/bin/python -m integration early-warning")
        st.info("There is no early-warning list yet. It is made when the model is retrained, from a terminal on "
                f"this database (after the loads, on their schedule): `{command}`"
                + (" (with the database's password in place of ***)" if elided else ""))
        return
    run = latest.run
    st.caption(f"Properties not on the list today, ranked by their chance of being on it within {HORIZON_DAYS} days · "
               f"records to {run['as_of']:%B %-d, %Y} · {run['model_version']} · trained on "
               f"{training_window_text(run['training_first'], run['training_last'])} · retrained "
               f"{run['created_at']:%B %-d, %Y %H:%M} by {run['created_by']}")
    said, measured = st.columns([3, 2])
    with said:
        if latest.ranking == "model":
            st.success(latest.verdict, icon=":material/verified:")
        else:
            st.warning(latest.verdict, icon=":material/warning:")
        flagged = [row for row in run["fairness"] if row.get("flag")]
        low, high = FAIRNESS_BAND
        if flagged:
            over = [row["ward"] for row in flagged if row["flag"] == "over-represented"]
            under = [row["ward"] for row in flagged if row["flag"] == "under-represented"]
            st.warning("Against each ward's share of the properties that did become hotspots, the top 100 of the "
                       f"backtest held more than {high:g} times its share in "
                       + (f"ward{'s' if len(over) > 1 else ''} {', '.join(over)}" if over else "no ward")
                       + f" and less than {low:g} times in "
                       + (f"ward{'s' if len(under) > 1 else ''} {', '.join(under)}" if under else "no ward")
                       + ". See Fairness by ward.", icon=":material/balance:")
    with measured:
        st.markdown("**How often it was right**")
        st.dataframe(backtest_table(latest), hide_index=True, key="backtest")
        st.caption("Medians over the windows (lowest to highest). Each window: the list as it would have been made "
                   "on that day from the records known then, checked against the properties that were flagged in "
                   f"the {HORIZON_DAYS} days after.")
        with st.expander("Fairness by ward"):
            st.dataframe(fairness_table(run["fairness"]), hide_index=True, key="fairness")
    heading = table(listed(run["run_id"], latest.ranking, SHOWN))
    chosen = st.dataframe(
        heading.drop(columns=["Property id"]), hide_index=True, on_select="rerun", selection_mode="single-row",
        key="heading", height=560,
        column_config={  # widths in pixels: the whole list within the 940 px a 1400 px screen leaves
            "Rank": st.column_config.NumberColumn(width=44),
            "Open": st.column_config.LinkColumn("Open", display_text="Open", width=48),
            "Address": st.column_config.TextColumn(width=170),
            "Model estimate": st.column_config.NumberColumn(
                format="%.0f%%", width=90,
                help=f"The model's estimate of the chance of being flagged within {HORIZON_DAYS} days, which ranks "
                     "the list. It is not a measured rate and runs high at the top: how often the top of the list "
                     "was right is the backtest above."),
            "Score now": st.column_config.NumberColumn(format="%.1f", width=70),
            "Why": st.column_config.TextColumn(width=330),
            "Ward": st.column_config.Column(width=50),
            "Nuisance calls": st.column_config.NumberColumn(width=96),
        },
    )
    if chosen.selection.rows:
        st.switch_page("pages/property.py", query_params={"property": heading["Property id"].iloc[chosen.selection.rows[0]]})
