"""Upload: load the property master (the parcel file), or a department extract: detect the department,
check the column mapping, see what would be rejected and where the records would be placed, then load
it in one transaction."""

import streamlit as st

from loaders import ingest
from loaders.dates import AmbiguousDateOrder
from loaders.read import LoadError
from loaders.specs import spec
from ui import data, upload, views
from ui import upload_form as form
from ui.frame import page_setup

user = page_setup(__file__)

heading = st.empty()
limit_mb = st.get_option("server.maxUploadSize")
st.caption(
    f"A CSV or Excel (XLSX) file as the city's systems export it, up to {limit_mb:,} MB. "
    "Nothing is stored until you press **Load**; a file loaded twice changes nothing."
)
MASTER, EXTRACT = "The property master (parcels)", "A department extract"
master_size = data.overview(data.data_version())[1]
st.session_state.setdefault("upload-kind", EXTRACT if master_size else MASTER)  # the master first, while empty
kind = st.radio("What the file holds", [MASTER, EXTRACT], horizontal=True, key="upload-kind")
heading.title("Upload the property master" if kind == MASTER else "Upload a department extract")
if not master_size:
    st.caption("The property master is empty: load it first, so that records can be placed on properties.")


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
        st.warning(f"The property master is empty, so no record can be placed on a property. Load it first: "
                   f"choose “{MASTER}” above.")
    form.match_preview(prepared)
    st.subheader("Load")
    form.load(prepared, upload.preparation_key(file, department, columns, mapping_name, date_order, load_anyway))


if kind == MASTER:
    uploaded = st.file_uploader("Property master file", type=["csv", "xlsx"], key="master")
    if uploaded is None:
        st.info("Choose the parcel file: one row per address, with a property or parcel id (`property_id`, "
                "`pin`, `parcel_id`, `tax key`, `apn` ...) and the `address`; city, ZIP, latitude and longitude, "
                "land use, ward and neighborhood when it has them.", icon=":material/upload_file:")
    else:
        form.property_master(uploaded)
else:
    uploaded = st.file_uploader("Extract file", type=["csv", "xlsx"], key="extract")
    if uploaded is None:
        st.info("Choose a file to begin. The department is detected from its column headers, and you can check "
                "every column before anything is stored.", icon=":material/upload_file:")
    else:
        load_flow(uploaded)
    form.history()
