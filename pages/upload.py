"""Upload: load a department extract. Detect the department, check the column mapping, see what
would be rejected and where the records would be placed, then load it in one transaction."""

import streamlit as st

from loaders import ingest
from loaders.dates import AmbiguousDateOrder
from loaders.read import LoadError
from loaders.specs import spec
from ui import data, upload, views
from ui import upload_form as form
from ui.frame import page_setup

user = page_setup(__file__)

st.title("Upload a department extract")
limit_mb = st.get_option("server.maxUploadSize")
st.caption(
    f"A CSV or Excel (XLSX) file as exported from the department's system, up to {limit_mb:,} MB. "
    "Nothing is stored until you press **Load**; a file loaded twice changes nothing."
)


def load_flow(uploaded) -> None:
    file = upload.read(uploaded)
    if file.error:
        st.error(file.error, icon=":material/error:")
        return
    for note in file.notes:
        st.info(views.sentence(note), icon=":material/info:")
    form.loaded_before(file)

    st.subheader("Department and columns")
    department = form.choose_department(file)
    if department is None:
        return
    columns, mapping_name = form.edit_mapping(file, department)
    form.preview(file, department, columns)
    missing = spec(department).missing(columns)
    if missing:
        st.warning("Choose a column for every required field: "
                   + ", ".join(views.field_label(field) for field in missing) + ".")
        return
    form.save_mapping(file, department, columns)

    date_order = None
    question = upload.date_question(file, columns)
    if question is not None:
        date_order = form.ask_date_order(file, question)
        if date_order is None:
            return
    anyway_key = f"load-anyway:{file.file_id}"
    load_anyway = bool(st.session_state.get(anyway_key))
    try:
        with st.spinner(f"Checking and matching {len(file.frame):,} rows…"):
            prepared = upload.prepare(file, department, columns, mapping_name, date_order, load_anyway)
    except AmbiguousDateOrder as ambiguous:
        upload.remember_date_question(file, columns, ambiguous)
        form.ask_date_order(file, ambiguous)
        return
    except ingest.TooManyRejects as failure:
        form.refused(failure, anyway_key)
        return
    except LoadError as failure:
        st.error(str(failure), icon=":material/error:")
        return
    if load_anyway and prepared.reject_share() > ingest.MAX_REJECT_SHARE:
        st.warning(f"{len(prepared.rejects):,} of {prepared.rows_read:,} rows ({prepared.reject_share():.0%}) will "
                   "be rejected; they are kept with the load.", icon=":material/warning:")
        form.load_anyway_box(anyway_key)
    st.subheader("Validation")
    form.validation_report(prepared, (*file.notes, *([f"recognised as {mapping_name}"] if mapping_name else [])))
    st.subheader("Where the records would be placed")
    if not data.overview(data.data_version())[1]:
        st.warning("The property master is empty, so no record can be placed on a property. Load the "
                   "properties first: `python -m loaders properties FILE`.")
    form.match_preview(prepared)
    st.subheader("Load")
    form.load(prepared, upload.preparation_key(file, department, columns, mapping_name, date_order, load_anyway))


uploaded = st.file_uploader("Extract file", type=["csv", "xlsx"], key="extract")
if uploaded is None:
    st.info("Choose a file to begin. The department is detected from its column headers, and you can check "
            "every column before anything is stored.", icon=":material/upload_file:")
else:
    load_flow(uploaded)
form.history()
