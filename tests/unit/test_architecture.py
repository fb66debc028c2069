"""The shape of the code base: a pure core, and pages that all open with the page frame."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ("integration", "loaders", "storage", "sample_data", "services")
PAGES = sorted((ROOT / "pages").glob("*.py"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", [p for package in CORE for p in sorted((ROOT / package).rglob("*.py"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_never_imports_streamlit_or_the_ui(path):
    assert not _imports(path) & {"streamlit", "ui", "pages"}


def _modules(path: Path) -> set[str]:
    """Every module a file imports, by its full dotted name (imports inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


SHELL = [ROOT / "app.py", *PAGES, *sorted((ROOT / "ui").glob("*.py"))]


@pytest.mark.parametrize("path", SHELL, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_and_ui_reach_the_data_only_through_services_and_loaders(path):
    """pages -> ui -> services / loaders -> storage: no page or ui module opens a transaction, writes SQL
    or reads the schema itself."""
    shortcuts = {name for name in _modules(path)
                 if name.split(".")[0] in ("storage", "sqlalchemy")}
    assert not shortcuts


# The domain (integration) is used by services and loaders; the store depends on no domain rule and
# keeps no audit trail of its own (the use cases in services write their audit rows). A package's
# command line (`python -m storage`, `python -m integration`) is an entry point: it sits above every
# layer, like app.py, so it is not a module the direction applies to.
STORE = sorted(p for p in (ROOT / "storage").rglob("*.py") if "migrations" not in p.parts and p.name != "__main__.py")


@pytest.mark.parametrize("path", STORE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_store_depends_on_no_domain_rule(path):
    assert not {name.split(".")[0] for name in _modules(path)} & {"integration", "services", "loaders", "ui", "pages"}


@pytest.mark.parametrize("path", [p for p in STORE if p.name != "audit_trail.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_the_store_never_writes_an_audit_row(path):
    """Only storage.audit_trail writes the audit log, and only a use case in services calls it."""
    assert "audit_trail" not in {name.split(".")[-1] for name in _modules(path)}


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "integration").rglob("*.py") if p.name != "__main__.py"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_domain_depends_on_no_layer_above_it(path):
    assert not {name.split(".")[0] for name in _modules(path)} & {"storage", "services", "loaders", "ui", "pages"}


def _first_statement(path: Path) -> ast.stmt:
    body = ast.parse(path.read_text(), filename=str(path)).body
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue  # the module docstring
        return node
    raise AssertionError(f"{path.name} has no statements")


@pytest.mark.parametrize("path", [ROOT / "app.py", *PAGES], ids=lambda p: p.name)
def test_every_page_starts_with_page_setup(path):
    first = _first_statement(path)
    call = first.value if isinstance(first, (ast.Expr, ast.Assign)) else None
    assert isinstance(call, ast.Call), f"{path.name}: first statement is not a call"
    function = call.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
    assert name == "page_setup", f"{path.name}: the first statement must be page_setup(...), not {ast.unparse(first)}"


def test_pages_holds_page_scripts_only():
    assert PAGES, "pages/ has no page"
    assert not [p for p in (ROOT / "pages").iterdir() if p.suffix != ".py" and p.name != "__pycache__"]
    assert not (ROOT / "pages" / "__init__.py").exists()


def test_every_page_is_registered_once_with_the_permission_it_needs():
    """ui.frame.PAGES is the one registry: every page script, with its title, icon and permission."""
    from integration.access import PERMISSIONS
    from ui.frame import PAGES as REGISTERED

    scripts = [page for page, *_ in REGISTERED]
    assert sorted(scripts) == sorted(str(p.relative_to(ROOT)) for p in [ROOT / "app.py", *PAGES])
    assert len(set(scripts)) == len(scripts)
    assert all(permission in PERMISSIONS for *_, permission in REGISTERED)


@pytest.mark.parametrize("path", [ROOT / "app.py", *PAGES], ids=lambda p: p.name)
def test_every_page_opens_with_its_own_file(path):
    call = _first_statement(path).value
    assert [ast.unparse(argument) for argument in call.args] == ["__file__"] and not call.keywords


def test_tables_offer_no_download_of_their_own():
    """A table's own "Download as CSV" follows no export permission, is not audited and keeps formula
    cells live; the server's configuration turns it off, so every download is one of the pages' own."""
    import tomllib

    with (ROOT / ".streamlit" / "config.toml").open("rb") as handle:
        assert tomllib.load(handle)["client"]["disableDataExport"] is True
