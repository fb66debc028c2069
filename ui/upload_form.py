"""The Upload page's steps, drawn: the department, the column mapping and its preview, the question
about dates, the validation report, where the records would be placed, the load button and the load
history. The working state between reruns is ui.upload's."""

import calendar
import re

import pandas as pd
import streamlit as st

from integration.exports import to_csv
from loaders import ingest, mappings
from loaders.dates import DATE_ORDERS, AmbiguousDateOrder
from loaders.read import LoadError
from loaders.specs import MAPPING_SETTINGS, spec, specs
from loaders.validate import KEEP
from ui import data, upload, views
from ui.frame import current_user


def choose_department(file: upload.Upload) -> str | None:
    """The department select box, preselected as prepare() would take the file: a mapping saved for its
    shape, a known layout, the department's column names, or else a mapping proposed from its values."""
    found = upload.suggest(file)
    detected = found.department
    names = list(specs())
    chosen = st.selectbox(
        "Department", names, index=names.index(detected) if detected else None,
        format_func=lambda name: f"{spec(name).label} · {spec(name).system}",
        placeholder="Choose the department this file comes from", key=f"department:{file.file_id}",
    )
    if found.kind == "saved":
        st.caption(f"Detected from a saved column mapping: **{spec(detected).label}** (“{found.name}”).")
    elif found.kind == "layout":
        st.caption(f"Recognised as **{found.name}**: a {spec(detected).label} extract.")
    elif found.kind == "names":
        matched = len(spec(detected).resolve(file.headers))
        st.caption(f"Detected from the headers: **{spec(detected).label}** "
                   f"(the file has columns for {matched} of its {len(spec(detected).fields)} fields).")
    elif detected:
        st.caption(f"Proposed from the file's columns and values: **{spec(detected).label}**. Why: {found.why}. "
                   "Check the department.")
    else:
        st.caption("The headers fit no department's usual columns: choose the department, then check the columns "
                   "proposed for it.")
    if chosen and detected and chosen != detected and found.kind != "proposal":
        st.warning(f"The headers look like a {spec(detected).label} extract, not {spec(chosen).label}. "
                   "Check the department before loading.", icon=":material/warning:")
    return chosen


def edit_mapping(file: upload.Upload, department: str) -> tuple[dict, str | None]:
    """The mapping to load with, as suggested for the file and edited by the analyst; and the saved
    mapping's or layout's name when it is used unchanged.

    The boxes hold one column per field. What they cannot show (an id built from several columns,
    fields without a box, settings, the keep list) is carried over as the suggestion has it."""
    department_spec = spec(department)
    found = upload.suggest(file, department)
    if found.kind == "saved":
        st.caption(f"Using the column mapping “{found.name}”, saved for files with these columns.")
    elif found.kind == "layout":
        st.caption(f"Columns as the known layout “{found.name}” maps them.")
    elif found.kind == "proposal":
        st.caption("Proposed from the file's columns and values: check each field. Under each box, why its "
                   "column was proposed.")
    shown = {field: source for field, source in found.mapping.items()
             if field in department_spec.fields and isinstance(source, str)}
    built = {field: source for field, source in found.mapping.items()
             if field in department_spec.fields and isinstance(source, list)}
    reasons = {guess.field: guess for guess in found.guesses}
    fields = list(department_spec.fields)
    edited = {}
    for row in range(0, len(fields), 4):
        for cell, field in zip(st.columns(4), fields[row:row + 4]):
            current = shown.get(field)
            blank = f"— {' + '.join(built[field])} —" if field in built else \
                f"— every row: {found.mapping['default_category']} —" \
                if field == "category" and found.mapping.get("default_category") else "— not in this file —"
            choice = cell.selectbox(
                views.field_label(field) + (" *" if field in department_spec.required else ""),
                ["", *file.headers],
                index=file.headers.index(current) + 1 if current in file.headers else 0,
                format_func=lambda header, blank=blank: header or blank,
                key=f"map:{file.file_id}:{department}:{field}",
                help=f"{views.field_help(field)}. Usual column names: {', '.join(department_spec.fields[field])}",
            )
            guess = reasons.get(field)
            if guess is not None and choice == guess.column:
                cell.caption(views.sentence(guess.why))
            if choice:
                edited[field] = choice
    st.caption("\\* required")
    if edited == shown:
        columns, name = dict(found.mapping), found.name
    else:
        columns = {field: source for field, source in found.mapping.items() if field not in shown | edited} | edited
        name = None
    fixed = [describe_fixed(field, source) for field, source in columns.items()
             if field not in edited and not (field in department_spec.fields and isinstance(source, str))]
    if fixed:
        st.caption("Also in this mapping, used as it has them (this form cannot change them): "
                   + "; ".join(fixed) + ".")
    return columns, name


def describe_fixed(field: str, source) -> str:
    if field == KEEP:
        return "kept with each record: " + ", ".join(source)
    if field in MAPPING_SETTINGS:
        return f"{views.field_label(field).lower()}: {source}"
    return f"{views.field_label(field)} ← {source if isinstance(source, str) else ' + '.join(source)}"


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


def preview(file: upload.Upload, department: str, columns: dict) -> None:
    """The file's first rows: the mapped columns first, named by the field they feed, then the rest."""
    feeds = {}
    for field, source in columns.items():
        if field in MAPPING_SETTINGS or field == KEEP:
            continue
        for header in [source] if isinstance(source, str) else source:
            feeds.setdefault(header, []).append(views.field_label(field))
    used = list(feeds)
    listed = [*spec(department).kept_columns(file.headers).values(), *columns.get(KEEP, [])]
    kept = [header for header in dict.fromkeys(listed) if header not in used]
    dropped = [header for header in file.headers if header not in used and header not in kept]
    labels = {header: f"{' + '.join(feeds[header])} ← {header}" for header in used}
    labels |= {header: f"{header} (kept)" for header in kept} | {header: f"{header} (not stored)" for header in dropped}
    st.dataframe(file.frame[used + kept + dropped].head(10), hide_index=True, column_config=labels)
    st.caption(f"The first {min(10, len(file.frame)):,} of {len(file.frame):,} rows. Columns the mapping does not use "
               "are not stored, except those kept with each record (the dashboard stores no more than it needs).")


def ask_date_order(file: upload.Upload, question: AmbiguousDateOrder) -> str | None:
    """The analyst's answer to a column of dates that read both ways; None until they answer."""
    key = f"date-order:{file.file_id}:{question.column}"
    st.subheader("Dates")
    dates = list(dict.fromkeys(match.group(0) for example in question.examples
                               if (match := NUMERIC_DATE.match(example.strip()))))
    shown = dates or [example.split()[0] for example in question.examples]
    first = shown[0]
    readings = date_readings(first)
    asked = f"Is {first} {readings['month_first']} or {readings['day_first']}?" if readings else \
        "Are the dates written month first or day first?"
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
    text = (f"'{question.column}' holds dates like {listed} that read both ways. {asked} "
            "Nothing is read as a date until you say.")
    answered = st.session_state.get(key) is not None
    (st.info if answered else st.warning)(text, icon=":material/calendar_month:")
    return st.radio(
        "How this file writes its dates", DATE_ORDERS, index=None, horizontal=True, key=key,
        format_func=lambda order: f"{ORDER_LABELS[order]}: {first} is {readings[order]}" if readings
        else ORDER_LABELS[order],
    )


NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")
ORDER_LABELS = {"month_first": "Month first", "day_first": "Day first"}


def date_readings(text: str) -> dict[str, str]:
    """'03/04/2025' -> {'month_first': 'March 4', 'day_first': 'April 3'}; {} when it is not such a date."""
    match = NUMERIC_DATE.match(text)
    if not match:
        return {}
    first, second = int(match.group(1)), int(match.group(2))
    if not (1 <= first <= 12 and 1 <= second <= 12):
        return {}
    return {"month_first": f"{calendar.month_name[first]} {second}",
            "day_first": f"{calendar.month_name[second]} {first}"}


def refused(failure: ingest.TooManyRejects, key: str) -> None:
    """A load refused for its rejects: the reasons, and the choice to load it anyway."""
    lines = str(failure).splitlines()
    reasons = [line.strip() for line in lines if line.startswith(" ")]
    said = [line for line in lines if not line.startswith(" ")]
    st.error(markdown_text(said[0]) + "\n\n" + "\n".join(f"- {markdown_text(reason)}" for reason in reasons)
             + "\n\n" + markdown_text(" ".join(said[1:])), icon=":material/error:")
    load_anyway_box(key)


def load_anyway_box(key: str) -> bool:
    return st.checkbox("Load anyway, keeping the rejected rows", key=key,
                       help="The rejected rows are kept with the load, each with its reason, and can be downloaded")


def markdown_text(text: str) -> str:
    """Text from a file (column names, values) shown as written, not read as Markdown."""
    return re.sub(r"([\\`*_{}\[\]<>$#|~])", r"\\\1", text)


def validation_report(prepared: ingest.Prepared, shown_notes: tuple[str, ...]) -> None:
    read_column, valid_column, folded_column, rejected_column = st.columns(4)
    read_column.metric("Rows read", f"{prepared.rows_read:,}")
    valid_column.metric("Valid", f"{len(prepared.records):,}", help="Records to load, one per case, call or request")
    folded_column.metric("Folded into their record", f"{prepared.folded + prepared.duplicates:,}",
                         help=f"{prepared.folded:,} further rows of a case, call or request already in the file "
                              f"(what differs is kept with its record) and {prepared.duplicates:,} exact repeats")
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
    folded = counts.get("folded", 0) + counts.get("duplicate", 0)
    return (f"Loaded {result.file_name} as load #{result.ingest_id}: {counts['new']:,} new, "
            f"{counts['updated']:,} updated, {counts['unchanged']:,} unchanged, "
            + (f"{folded:,} folded into their record, " if folded else "")
            + f"{counts['rejected']:,} rejected.")


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
        result = upload.commit(prepared, current_user(),
                               progress=lambda step, share: bar.progress(share, text=step.capitalize()))
    except LoadError as failure:
        bar.empty()
        st.error(f"Nothing was stored: {failure}", icon=":material/error:")
        return
    upload.remember_loaded(key, result)
    st.success(loaded_message(result), icon=":material/check_circle:")


def loaded_before(file: upload.Upload) -> None:
    """Say so when this exact file was loaded before (not by this session's own load of it)."""
    earlier = upload.history(data.data_version())
    same_file = earlier[(earlier["file_hash"] == file.file_hash) & ~earlier["ingest_id"].isin(upload.loaded_ids())]
    if not same_file.empty:
        first = same_file.iloc[-1]
        st.info(f"This exact file was loaded before (load #{first['ingest_id']}, {first['started_at']:%b %-d, %Y} "
                f"by {first['loaded_by']}): loading it again changes nothing.", icon=":material/content_copy:")


def history() -> None:
    st.subheader("Load history")
    version = data.data_version()  # read after any load this run made
    loads = upload.history(version)
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
        "Folded": loads["rows_folded"] + loads["rows_duplicate"],
        "Rejected": loads["rows_rejected"],
    })
    # Widths that fit the twelve columns across the page, so no count hides past its edge.
    count = {name: st.column_config.NumberColumn(format="localized", width=width)
             for name, width in (("Read", 54), ("New", 54), ("Updated", 62), ("Unchanged", 78), ("Folded", 56),
                                 ("Rejected", 64))}
    count["Folded"] = st.column_config.NumberColumn(
        format="localized", width=56, help="Rows folded into their record: further rows of one case, call or "
                                           "request, and exact repeats")
    st.dataframe(table, hide_index=True, column_config={
        "Load": st.column_config.NumberColumn(format="#%d", width=44),
        "When": st.column_config.DatetimeColumn(format="MMM D, YYYY HH:mm", width=112),
        "Department": st.column_config.TextColumn(width=122),
        "File": st.column_config.TextColumn(width=110),
        "Hash": st.column_config.TextColumn(width=72, help="The start of the file's SHA-256: the same file has "
                                                          "the same hash"),
        "By": st.column_config.TextColumn(width=96),
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
    rejects = views.rejects_table(upload.rejects(version, ingest_id))
    file_name = with_rejects.set_index("ingest_id").loc[ingest_id, "file_name"]
    button_column.download_button(
        "Download (CSV)", to_csv(rejects, current_user(), {"load": f"#{ingest_id}", "file": file_name}),
        file_name=f"rejects-load-{ingest_id}.csv", mime="text/csv", icon=":material/download:",
    )


# --- the property master ------------------------------------------------------------------------


def property_master(uploaded) -> None:
    """Read a parcel file as the property master, say what loading it would do, and load it."""
    file = upload.read_master(uploaded)
    if file.error:
        st.error(f"{file.name} cannot be loaded as the property master, and nothing was stored: {file.error}.",
                 icon=":material/error:")
        return
    done = upload.master_loaded(file.file_id)
    if done is not None:
        st.success(master_loaded_message(done), icon=":material/check_circle:")
        return
    master = file.master
    st.subheader("What the file holds")
    skipped = "".join(f"; {rows:,} rows skipped: {reason}" for reason, rows in master.skipped.items() if rows)
    st.markdown(f"**{len(master.property_rows):,} properties** with {len(master.address_rows):,} addresses{skipped}.")
    for note in master.notes:
        st.info(views.sentence(note), icon=":material/info:")
    shown = pd.DataFrame(master.property_rows[:MASTER_PREVIEW_ROWS]).drop(columns="owner")  # people's names
    views.show_table(shown.dropna(axis="columns", how="all"), MASTER_LABELS)  # the columns the file fills
    st.caption(f"The first {len(shown):,} properties as they will be stored.")

    plan = upload.plan_master(master)
    st.subheader("What loading it does")
    st.markdown(master_plan_text(plan))
    confirmed = True
    if plan.replaces:
        confirmed = st.checkbox("Replace the master as described, and place the records again",
                                key=f"master-confirm:{file.file_id}")
    if not st.button(f"Load {plan.properties:,} properties into the property master", type="primary",
                     icon=":material/database_upload:", disabled=not confirmed, key=f"master-load:{file.file_id}"):
        return
    with st.spinner("Storing the property master and placing the records on it…"):
        try:
            upload.commit_master(file.file_id, master, current_user())
        except LoadError as failure:
            st.error(f"{str(failure)[:1].upper()}{str(failure)[1:]}.", icon=":material/error:")
            return
    st.rerun()  # the page drawn again on the new master, with what the load did


MASTER_PREVIEW_ROWS = 20
MASTER_LABELS = {"property_id": "Property id", "address": "Address", "parcel_id": "Parcel", "city": "City",
                 "state": "State", "zip": "ZIP", "lat": "Latitude", "lon": "Longitude", "land_use": "Land use",
                 "ward": "Ward", "neighborhood": "Neighborhood"}


def master_plan_text(plan) -> str:
    """What storing the master does to the properties and to the records already placed, in words."""
    if not plan.replaces:
        text = f"It adds {plan.properties:,} properties to an empty property master."
        if plan.records:
            text += (f" The {plan.records:,} records already stored are then placed on them: "
                     "each record's address is matched again.")
        return text
    placed = plan.placed
    return (
        f"**The database already holds a property master of {plan.updated + plan.kept:,} properties.** "
        f"Loading this file adds {plan.new:,} new properties, replaces the fields and the address list of the "
        f"{plan.updated:,} it names, and keeps the {plan.kept:,} it does not name as they are (no property is "
        "deleted: records may be placed on them).\n\n"
        f"**Every stored record ({plan.records:,}) is then placed again on the new master.** Now "
        f"{placed['matched']:,} are on a property, {placed['review']:,} wait for review, "
        f"{placed['block'] + placed['intersection']:,} are at a block or an intersection and "
        f"{placed['unmatched']:,} are unplaced. A record whose address the new master spells differently "
        "may move to another property, to review, or from review onto a property; analysts' match "
        "decisions still hold."
    )


def master_loaded_message(result) -> str:
    before, after = result.before, result.after
    moves = ", ".join(f"{views.STATUS_LABELS[status]} {before[status]:,} → {after[status]:,}"
                      for status in before if before[status] or after[status])
    return (f"Loaded {result.file_name} into the property master: {result.new:,} new properties, "
            f"{result.updated:,} updated, {result.addresses:,} addresses."
            + (f" {result.records:,} records placed again ({moves})." if result.records else ""))
