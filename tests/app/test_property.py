"""The property page's cached reads: keyed by every input, so an edit shows at once."""

from services import hotspots as service
from ui import data, hotspots
from ui import property as history_view


def test_the_score_explained_follows_an_institution_edit(monkeypatch, city_copy_url):
    monkeypatch.setenv("DATABASE_URL", city_copy_url)
    version = data.data_version()
    last_day = hotspots.date_range(version)[1]
    scored = hotspots.hotspots(version, hotspots.default_filters(last_day), hotspots.institutions())
    top = scored[scored["flagged"]].index[0]
    assert history_view.explanation(version, top)["flagged"]
    assert service.set_institution(data.engine(), top, "exclude", "city hall", "lead")
    assert data.data_version() == version  # an edit of the list is no load
    assert not history_view.explanation(version, top)["flagged"]
    assert service.remove_institution(data.engine(), top, "lead")
    assert history_view.explanation(version, top)["flagged"]
