"""Match review's decisions on both engines: one decision for every string that is not an address,
and the pages' weekly request counts still equal to the records afterwards."""

from services import review
from storage import review_queue
from storage.engine import reading
from tests.storage.test_summaries import assert_summaries_match_records, loaded  # noqa: F401


def test_marking_every_string_that_is_not_an_address(loaded):
    engine = loaded
    junk = review.groups(engine).query("kind == @review.NOT_AN_ADDRESS")
    assert len(junk) > 1 and "crm" in set(junk["department"])  # CRM strings span months far apart
    moved = review.mark_not_addresses(engine, list(zip(junk["department"], junk["normalized"])), "analyst jo",
                                      "placeholders")
    assert moved == int(junk["records"].sum())
    assert review.summary(engine)["not_address"] == 0
    with reading(engine) as conn:
        made = review_queue.decisions(conn)
    assert len(made) == len(junk) and set(made["decision"]) == {"not_property"}
    assert set(made["note"]) == {"placeholders"} and set(made["decided_by"]) == {"analyst jo"}
    assert_summaries_match_records(engine)
