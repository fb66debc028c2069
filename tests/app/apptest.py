"""Opening a page the way the server runs it: the app's entrypoint, then a switch to the page."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from integration.access import SessionLimits
from services import accounts
from storage.engine import create_engine, writing
from ui.frame import TOKEN_KEY

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def open_page(path: str, monkeypatch, url: str, user: str | None = "admin", **query) -> AppTest:
    """Run `path` against the database at `url` as `user` (signed in; None: nobody), with `query`
    as the URL's query parameters."""
    monkeypatch.setenv("DATABASE_URL", url)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params.update(query)
    if user is not None:  # signed in as the sign-in route would: a session in the database, its token held
        engine = create_engine(url)
        with writing(engine) as conn:
            app.session_state[TOKEN_KEY] = accounts.start_session(conn, user, "password", limits=SessionLimits())
        engine.dispose()
    if path != "app.py":
        app.switch_page(path)  # a page runs under the app's entrypoint, as on the server
    return app.run()
