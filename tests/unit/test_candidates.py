"""Review candidates for a house number the street does not have: nearest number first, scores that
tell them apart, and lists stored before that ordered the same way when they are read."""

import json

import pandas as pd
import pytest

from integration.matcher import Matcher, number_nearness, rank_candidates

# A street with no 721: the numbers around it on both sides, and a far one.
WASHINGTON = [701, 717, 725, 730, 733, 760, 1721]
MASTER = pd.DataFrame({
    "property_id": [f"W{number}" for number in WASHINGTON] + ["M1"],
    "address": [f"{number} WASHINGTON AVE" for number in WASHINGTON] + ["721 MAIN ST"],
})


@pytest.fixture(scope="module")
def placed():
    found = Matcher(MASTER).match(pd.DataFrame({"address": ["721 WASHINGTON AVE", "729 WASHINGTON AVE"]}))
    return [json.loads(text) for text in found["candidates"]], found


def test_the_nearest_number_comes_first(placed):
    (for_721, for_729), found = placed
    assert [c["address"] for c in for_721] == ["725 WASHINGTON AVE", "717 WASHINGTON AVE", "730 WASHINGTON AVE",
                                               "733 WASHINGTON AVE", "701 WASHINGTON AVE"]
    assert [c["address"] for c in for_729][:2] == ["730 WASHINGTON AVE", "725 WASHINGTON AVE"]
    assert found["status"].tolist() == ["review", "review"]


def test_different_candidates_have_different_scores_below_a_coin_toss(placed):
    (for_721, _), found = placed
    scores = [c["score"] for c in for_721]
    assert len(set(scores)) == len(scores)
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score < 0.5 for score in scores)
    assert found["score"].iloc[0] == scores[0]  # the record's score is its best candidate's


@pytest.mark.parametrize("written, nearer, farther", [
    (721, 725, 730),  # 4 away before 9 away
    (721, 725, 717),  # as far, but keeps more of the written digits
    (721, 722, 724),
    (100, 102, 98),
    (1901, 1900, 1721),
    (5, 7, 15),
])
def test_number_nearness(written, nearer, farther):
    assert number_nearness(written, nearer) > number_nearness(written, farther)
    assert number_nearness(written, written) == 1.0


def test_a_list_stored_with_equal_scores_is_ordered_and_scored_when_read():
    stored = [{"property_id": f"W{n}", "address": f"{n} WASHINGTON AVE", "score": 0.5}
              for n in (701, 717, 725, 730, 733)]  # as the matcher kept them: by id, all 0.50
    ranked = rank_candidates("721 WASHINGTON AVE", stored)
    assert [c["address"] for c in ranked] == ["725 WASHINGTON AVE", "717 WASHINGTON AVE", "730 WASHINGTON AVE",
                                              "733 WASHINGTON AVE", "701 WASHINGTON AVE"]
    assert len({c["score"] for c in ranked}) == 5


def test_candidates_of_other_rules_keep_their_scores():
    stored = [{"property_id": "A", "address": "721 N WASHINGTON AVE", "score": 0.8},
              {"property_id": "B", "address": "721 S WASHINGTON AVE", "score": 0.8},
              {"property_id": "C", "address": "", "score": 0.6}]
    assert rank_candidates("721 WASHINGTON AVE", stored) == stored
