"""Upload: load a department extract. Detect the department, check the column mapping, see what
would be rejected and where the records would be placed, then load it in one transaction."""

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from integration.exports import to_csv
from loaders import ingest, mappings
from loaders.read import LoadError
from loaders.specs import detect_department, spec, specs
from ui import data, upload, views
from ui.frame import current_user, page_setup

user = page_setup("Upload", ":material/upload_file:", permission="upload")

st.title("Upload a department extract")
limit_mb = st.get_option("server.maxUploadSize")
st.caption(
    f"A CSV or Excel (XLSX) file as exported from the department's system, up to {limit_mb:,} MB. "
    "Nothing is stored until you press **Load**; a file loaded twice changes nothing."
)


def choose_department(file: upload.Upload) -> str | None:
    """The department select box, preselected by what the headers (or a saved mapping) fit."""
    detected, _fit = detect_department(file.headers)
    saved = [] if detected else mappings.saved_for_any(data.engine(), file.headers)
    if len(saved) == 1:
        detected = saved[0][0]
    names = list(specs())
    chosen = st.selectbox(
        "Department", names, index=names.index(detected) if detected else None,
        format_func=lambda name: f"{spec(name).label} · {spec(name).system}",
        placeholder="Choose the department this file comes from", key=f"department:{file.file_id}",
    )
    if saved and detected:
        st.caption(f"Detected from a saved column mapping: **{spec(detected).label}** "
                   f"(“{saved[0][1]['name']}”).")
    elif detected:
        found = len(spec(detected).resolve(file.headers))
        st.caption(f"Detected from the headers: **{spec(detected).label}** "
                   f"(the file has columns for {found} of its {len(spec(detected).fields)} fields).")
    else:
        st.caption("The headers fit no department's usual columns: choose the department, then map its columns.")
    if chosen and detected and chosen != detected:
        st.warning(f"The headers look like a {spec(detected).label} extract, not {spec(chosen).label}. "
                   "Check the department before loading.", icon=":material/warning:")
    return chosen


def edit_mapping(file: upload.Upload, department: str) -> tuple[dict[str, str], str | None]:
    """canonical field -> source column, as found (or saved) and edited by the analyst; and the saved
    mapping's name when it is used unchanged."""
    department_spec = spec(department)
    resolved = department_spec.resolve(file.headers)
    saved = None if not department_spec.missing(resolved) else mappings.saved_for(data.engine(), department,
                                                                                 file.headers)
    found = saved["columns"] if saved else resolved
    if saved:
        st.caption(f"Using the column mapping “{saved['name']}”, saved for files with these columns.")
    columns = {}
    grid = st.columns(4)
    for position, field in enumerate(department_spec.fields):
        required = field in department_spec.required
        current = found.get(field)
        choice = grid[position % 4].selectbox(
            views.field_label(field) + (" *" if required else ""),
            ["", *file.headers],
            index=file.headers.index(current) + 1 if current in file.headers else 0,
            format_func=lambda header: header or "— not in this file —",
            key=f"map:{file.file_id}:{department}:{field}",
            help=f"{views.field_help(field)}. Usual column names: {', '.join(department_spec.fields[field])}",
        )
        if choice:
            columns[field] = choice
    st.caption("\\* required")
    return columns, (saved["name"] if saved and columns == saved["columns"] else None)


def save_mapping(file: upload.Upload, department: str, columns: dict[str, str]) -> None:
    name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
    name = name_column.text_input("Save this mapping as", placeholder="e.g. CAD export 2026",
                                  key=f"mapping-name:{file.file_id}",
                                  help="Next time a file with the same columns comes in, this mapping is used "
                                       "without asking; the command line takes it as --mapping NAME.")
    if button_column.button("Save mapping", disabled=not name.strip(), key=f"save-mapping:{file.file_id}",
                            width="stretch"):
        try:
            mappings.save_mapping(data.engine(), department, name, file.headers, columns, saved_by=current_user(),
                                  file_name=file.name)
        except LoadError as failure:
            st.error(str(failure), icon=":material/error:")
            return
        st.success(f"Saved the mapping “{name.strip()}” for {spec(department).label} files with these columns.",
                   icon=":material/check_circle:")


def preview(file: upload.Upload, department: str, columns: dict[str, str]) -> None:
    """The file's first rows: the mapped columns first, named by the field they feed, then the rest."""
    used = list(dict.fromkeys(columns.values()))
    kept = [header for header in spec(department).kept_columns(file.headers).values() if header not in used]
    dropped = [header for header in file.headers if header not in used and header not in kept]
    feeds = {}
    for field, header in columns.items():
        feeds.setdefault(header, []).append(views.field_label(field))
    labels = {header: f"{' + '.join(feeds[header])} ← {header}" for header in used}
    labels |= {header: f"{header} (kept)" for header in kept} | {header: f"{header} (not stored)" for header in dropped}
    st.dataframe(file.frame[used + kept + dropped].head(10), hide_index=True, column_config=labels)
    st.caption(f"The first {min(10, len(file.frame)):,} of {len(file.frame):,} rows. Columns the mapping does not use "
               "are not stored, except those kept with each record (the dashboard stores no more than it needs).")


def validation_report(prepared: ingest.Prepared, shown_notes: tuple[str, ...]) -> None:
    read_column, valid_column, rejected_column = st.columns(3)
    read_column.metric("Rows read", f"{prepared.rows_read:,}")
    valid_column.metric("Valid", f"{len(prepared.records):,}")
    rejected_column.metric("Rejected", f"{len(prepared.rejects):,}",
                           help="Rows that will not be loaded, each with the reason; they are kept with the load")
    for note in prepared.notes:
        if note not in shown_notes:
            st.info(views.sentence(note), icon=":material/info:")
    if not prepared.rejects:
        st.caption("Every row is valid.")
        return
    rejects = views.rejects_table(pd.DataFrame(prepared.rejects))
    st.dataframe(rejects, hide_index=True, height=min(38 + 35 * len(rejects), 300),
                 column_config={"Row": st.column_config.NumberColumn(format="%d")})
    st.download_button(
        "Download the rejects (CSV)",
        to_csv(rejects, current_user(), {"file": prepared.file_name, "department": prepared.department}),
        file_name=f"rejects-{prepared.file_name.rsplit('.', 1)[0]}.csv", mime="text/csv",
        icon=":material/download:",
    )


def match_preview(prepared: ingest.Prepared) -> None:
    counts = prepared.status_counts()
    views.status_metrics(counts)
    unplaced = prepared.matches[prepared.matches["status"].isin(["review", "unmatched"])]
    if not unplaced.empty:
        top = (unplaced.assign(normalized=unplaced["normalized"].fillna("(blank)"))
               .groupby(["normalized", "status"]).size().rename("records").reset_index()
               .sort_values("records", ascending=False).head(10))
        with st.expander(f"Addresses that would need a decision ({len(unplaced):,} records)"):
            st.dataframe(top.assign(status=top["status"].map(views.STATUS_LABELS)), hide_index=True, column_config={
                "normalized": "Address (normalised)",
                "status": "Status",
                "records": st.column_config.NumberColumn("Records", format="localized")})
            st.caption("After loading, decide these once in Match review; the decision also places later loads.")


def loaded_message(result: ingest.IngestResult) -> str:
    counts = result.counts
    return (f"Loaded {result.file_name} as load #{result.ingest_id}: {counts['new']:,} new, "
            f"{counts['updated']:,} updated, {counts['unchanged']:,} unchanged, {counts['rejected']:,} rejected.")


def load(prepared: ingest.Prepared, key: tuple) -> None:
    done = upload.loaded(key)
    if done is not None:
        st.success(loaded_message(done), icon=":material/check_circle:")
        return
    if prepared.records.empty:
        st.warning("No row of this file is valid, so there is nothing to load. Fix the file or the column mapping.")
        return
    button = st.empty()
    label = f"Load {len(prepared.records):,} records into the dashboard"
    # Keyed by file and department only: a click must still count on a rerun where the same columns
    # come from a mapping saved a moment ago.
    if not button.button(label, type="primary", icon=":material/database_upload:", key=f"load:{key[0]}:{key[1]}"):
        return
    button.empty()
    bar = st.progress(0.0, text="Starting…")
    try:
        result = ingest.commit(data.engine(), prepared, current_user(),
                               progress=lambda step, share: bar.progress(share, text=step.capitalize()))
    except (LoadError, sa.exc.SQLAlchemyError) as failure:
        bar.empty()
        st.error(f"Nothing was stored: {getattr(failure, 'orig', None) or failure}", icon=":material/error:")
        return
    upload.remember_loaded(key, result)
    st.success(loaded_message(result), icon=":material/check_circle:")


def load_flow(uploaded) -> None:
    file = upload.read(uploaded)
    if file.error:
        st.error(file.error, icon=":material/error:")
        return
    for note in file.notes:
        st.info(views.sentence(note), icon=":material/info:")
    earlier = data.ingest_history(data.data_version())
    same_file = earlier[(earlier["file_hash"] == file.file_hash) & ~earlier["ingest_id"].isin(upload.loaded_ids())]
    if not same_file.empty:
        first = same_file.iloc[-1]
        st.info(f"This exact file was loaded before (load #{first['ingest_id']}, {first['started_at']:%b %-d, %Y} "
                f"by {first['loaded_by']}): loading it again changes nothing.", icon=":material/content_copy:")

    st.subheader("Department and columns")
    department = choose_department(file)
    if department is None:
        return
    columns, mapping_name = edit_mapping(file, department)
    preview(file, department, columns)
    missing = spec(department).missing(columns)
    if missing:
        st.warning("Choose a column for every required field: "
                   + ", ".join(views.field_label(field) for field in missing) + ".")
        return
    save_mapping(file, department, columns)

    try:
        with st.spinner(f"Checking and matching {len(file.frame):,} rows…"):
            prepared = upload.prepare(file, department, columns, mapping_name)
    except LoadError as failure:
        st.error(str(failure), icon=":material/error:")
        return
    st.subheader("Validation")
    validation_report(prepared, file.notes)
    st.subheader("Where the records would be placed")
    if not data.overview(data.data_version())[1]:
        st.warning("The property master is empty, so no record can be placed on a property. Load the "
                   "properties first: `python -m loaders properties FILE`.")
    match_preview(prepared)
    st.subheader("Load")
    load(prepared, upload.preparation_key(file, department, columns, mapping_name))


def history() -> None:
    st.subheader("Load history")
    version = data.data_version()  # read after any load this run made
    loads = data.ingest_history(version)
    if loads.empty:
        st.caption("No file has been loaded yet.")
        return
    table = pd.DataFrame({
        "Load": loads["ingest_id"],
        "When": loads["started_at"],
        "Department": loads["department"].map(views.department_label),
        "File": loads["file_name"],
        "Hash": loads["file_hash"].map(views.short_hash),
        "By": loads["loaded_by"],
        "Read": loads["rows_read"],
        "New": loads["rows_new"],
        "Updated": loads["rows_updated"],
        "Unchanged": loads["rows_unchanged"],
        "Rejected": loads["rows_rejected"],
    })
    # Widths that fit the eleven columns across the page, so no count hides past its edge.
    count = {name: st.column_config.NumberColumn(format="localized", width=width)
             for name, width in (("Read", 60), ("New", 60), ("Updated", 64), ("Unchanged", 74), ("Rejected", 66))}
    st.dataframe(table, hide_index=True, column_config={
        "Load": st.column_config.NumberColumn(format="#%d", width=48),
        "When": st.column_config.DatetimeColumn(format="MMM D, YYYY HH:mm", width=120),
        "Department": st.column_config.TextColumn(width=112),
        "File": st.column_config.TextColumn(width=118),
        "Hash": st.column_config.TextColumn(width=78, help="The start of the file's SHA-256: the same file has "
                                                          "the same hash"),
        "By": st.column_config.TextColumn(width=120),
        **count,
    })
    with_rejects = loads[loads["rows_rejected"] > 0]
    if with_rejects.empty:
        return
    choice_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
    ingest_id = choice_column.selectbox(
        "Rejected rows of a load", with_rejects["ingest_id"].tolist(),
        format_func=lambda i: "#{} · {} · {:,} rejected".format(
            i, *with_rejects.set_index("ingest_id").loc[i, ["file_name", "rows_rejected"]]),
    )
    rejects = views.rejects_table(data.rejects_for_ingest(version, ingest_id))
    file_name = with_rejects.set_index("ingest_id").loc[ingest_id, "file_name"]
    button_column.download_button(
        "Download (CSV)", to_csv(rejects, current_user(), {"load": f"#{ingest_id}", "file": file_name}),
        file_name=f"rejects-load-{ingest_id}.csv", mime="text/csv", icon=":material/download:",
    )


uploaded = st.file_uploader("Extract file", type=["csv", "xlsx"], key="extract")
if uploaded is None:
    st.info("Choose a file to begin. The department is detected from its column headers, and you can check "
            "every column before anything is stored.", icon=":material/upload_file:")
else:
    load_flow(uploaded)
history()
