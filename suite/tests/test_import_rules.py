"""The service shape's dependency rules hold in this repository, and the scanner catches each break."""

from __future__ import annotations

from pathlib import Path

from suite.import_rules import check, main

ROOT = Path(__file__).resolve().parents[2]


def test_the_repository_follows_the_import_rules():
    violations = check(ROOT)
    assert violations == [], "\n".join(map(str, violations))


def _write(root: Path, relative: str, text: str = "") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def planted_tree(root: Path) -> None:
    """Two services and plumbing, with one break of each rule (and clean modules around them)."""
    for package in ("services/alpha/src/alpha", "services/beta/src/beta", "libs/plumbing/src/plumbing"):
        _write(root, f"{package}/__init__.py")
    for layer in ("domain", "service_layer", "adapters", "entrypoints"):
        _write(root, f"services/alpha/src/alpha/{layer}/__init__.py")
    _write(root, "libs/plumbing/src/plumbing/clock.py", "import datetime\n")
    _write(root, "libs/plumbing/src/plumbing/db.py", "import sqlalchemy\n")
    _write(root, "libs/plumbing/src/plumbing/uow.py", "from plumbing.db import make_engine\n")
    _write(root, "libs/plumbing/src/plumbing/leak.py", "from beta.domain import model\n")
    _write(root, "libs/plumbing/src/plumbing/lazy.py", "def make():\n    import redis\n")  # not at import time
    _write(root, "services/alpha/src/alpha/domain/model.py",
           "from plumbing.clock import Clock\nfrom sqlalchemy.orm import Session\nfrom ..adapters import orm\n")
    _write(root, "services/alpha/src/alpha/adapters/orm.py", "import sqlalchemy\n")
    _write(root, "services/alpha/src/alpha/service_layer/handlers.py",
           "from alpha.domain import model\nfrom alpha.adapters.orm import metadata\n"
           "from alpha.entrypoints import web\nfrom plumbing.uow import SqlAlchemyUnitOfWork\n"
           "from plumbing.lazy import make\n"
           "def f():\n    import flask\n")
    _write(root, "services/alpha/src/alpha/bootstrap.py", "from beta.service_layer import handlers\n")


def test_the_scanner_reports_a_break_of_each_rule(tmp_path):
    planted_tree(tmp_path)
    found = {(v.importer, v.imported, v.rule) for v in check(tmp_path)}
    assert found == {
        ("alpha.domain.model", "sqlalchemy.orm", "a domain imports a framework"),
        ("alpha.domain.model", "alpha.adapters.orm", "a domain imports an adapter"),
        ("alpha.service_layer.handlers", "alpha.adapters.orm", "a service layer imports an adapter"),
        ("alpha.service_layer.handlers", "alpha.entrypoints", "a service layer imports an entrypoint"),
        ("alpha.service_layer.handlers", "plumbing.uow",
         "a service layer imports a framework-bound plumbing module (an adapter)"),
        ("alpha.service_layer.handlers", "flask", "a service layer imports a framework"),
        ("alpha.bootstrap", "beta.service_layer", "a service imports another service"),
        ("plumbing.leak", "beta.domain", "plumbing imports a service"),
    }


def test_the_command_line_fails_on_a_planted_violation(tmp_path, capsys):
    planted_tree(tmp_path)
    assert main([str(tmp_path)]) == 1
    assert "plumbing.leak imports beta.domain (plumbing imports a service)" in capsys.readouterr().out
