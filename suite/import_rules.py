"""The dependency rules of the service shape, checked by reading every import (ARCHITECTURE.md).

    python -m suite.import_rules [ROOT]     # prints each violation, exit status 1 if any

Rules (imports anywhere in a file count, TYPE_CHECKING blocks and function bodies included):

1. `domain/` imports no framework and nothing outward: no adapter, entrypoint, service layer,
   composition root, and no plumbing module that is itself tied to a framework.
2. `service_layer/` imports no framework, no adapter, no entrypoint, no composition root, and no
   framework-bound plumbing module: it depends on ports (its own protocols, `plumbing.ports`,
   `plumbing.messagebus`) that bootstrap fills with adapters.
3. A service imports no other service's package (events and HTTP contracts only).
4. `plumbing` imports no service.

A plumbing module is framework-bound when importing it imports a framework: it, or a plumbing
module it imports (transitively), imports one at import time (`plumbing.uow`: SQLAlchemy). An
import inside a function does not count there (`plumbing.revocations` imports redis only when its
Redis adapter is built), but it does in a domain or a service layer.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Third-party frameworks and drivers the inner layers must not see.
FRAMEWORKS = frozenset({
    "flask", "flask_babel", "connexion", "sqlalchemy", "alembic", "pika", "marshmallow", "httpx", "requests",
    "urllib3", "starlette", "werkzeug", "psycopg", "psycopg2", "jinja2", "a2wsgi", "uvicorn", "gunicorn", "redis",
})
#: Layers of a service package that the inner layers must not import, as the report names them.
OUTER = {"adapters": "an adapter", "entrypoints": "an entrypoint", "bootstrap": "the composition root",
         "devtools": "a dev tool"}


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    importer: str
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.imported} ({self.rule})"


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    #: (line, absolute module name) of every import.
    imports: tuple[tuple[int, str], ...]
    #: The module names imported when the module itself is imported (not inside a function).
    import_time: frozenset[str] = frozenset()


def _module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _in_functions(tree: ast.AST) -> set[int]:
    """ids of the import nodes that sit inside a function body (run later, if ever)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside.update(id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom))
    return inside


def _imports(tree: ast.AST, name: str, is_package: bool, known: set[str],
             skip: set[int] | None = None) -> Iterator[tuple[int, str]]:
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if skip and id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, node.module] if node.module else base_parts)
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield node.lineno, candidate if candidate in known else base


def read_packages(roots: Iterable[Path]) -> dict[str, Module]:
    """Every module under the given `src` folders, by name, with its imports."""
    files: dict[str, tuple[Path, bool]] = {}
    for src in roots:
        for path in sorted(src.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            files[_module_name(path, src)] = (path, path.name == "__init__.py")
    known = set(files)
    modules = {}
    for name, (path, is_package) in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imports = dict.fromkeys(_imports(tree, name, is_package, known))  # once per line and name
        import_time = frozenset(i for _, i in _imports(tree, name, is_package, known, _in_functions(tree)))
        modules[name] = Module(name, path, tuple(imports), import_time)
    return modules


def source_roots(root: Path) -> tuple[list[Path], Path]:
    """(the services' `src` folders, plumbing's `src` folder)."""
    return sorted(p for p in (root / "services").glob("*/src") if p.is_dir()), root / "libs" / "plumbing" / "src"


def _top(name: str) -> str:
    return name.partition(".")[0]


def framework_bound(modules: dict[str, Module]) -> set[str]:
    """Plumbing modules that import a framework, directly or through another plumbing module."""
    plumbing = {n: m for n, m in modules.items() if _top(n) == "plumbing"}
    bound = {n for n, m in plumbing.items() if any(_top(i) in FRAMEWORKS for i in m.import_time)}
    changed = True
    while changed:
        changed = False
        for name, module in plumbing.items():
            if name not in bound and any(i in bound for i in module.import_time):
                bound.add(name)
                changed = True
    return bound


def _layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def check(root: Path) -> list[Violation]:
    service_srcs, plumbing_src = source_roots(root)
    modules = read_packages([*service_srcs, plumbing_src])
    services = {p.name for src in service_srcs for p in src.iterdir() if (p / "__init__.py").is_file()}
    bound = framework_bound(modules)
    found: list[Violation] = []

    def add(module: Module, line: int, imported: str, rule: str) -> None:
        found.append(Violation(module.path.relative_to(root), line, module.name, imported, rule))

    for module in modules.values():
        own = _top(module.name)
        layer = _layer(module.name)
        for line, imported in module.imports:
            top = _top(imported)
            if own == "plumbing":
                if top in services:
                    add(module, line, imported, "plumbing imports a service")
                continue
            if top in services and top != own:
                add(module, line, imported, "a service imports another service")
            if layer not in ("domain", "service_layer"):
                continue
            where = "a domain" if layer == "domain" else "a service layer"
            if top in FRAMEWORKS:
                add(module, line, imported, f"{where} imports a framework")
            elif imported in bound:
                add(module, line, imported, f"{where} imports a framework-bound plumbing module (an adapter)")
            elif top == own and _layer(imported) in OUTER:
                add(module, line, imported, f"{where} imports {OUTER[_layer(imported) or '']}")
            elif layer == "domain" and top == own and _layer(imported) == "service_layer":
                add(module, line, imported, "a domain imports the service layer")
    return sorted(found, key=lambda v: (str(v.path), v.line))


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[1]
    violations = check(root)
    for violation in violations:
        print(violation)
    print(f"{len(violations)} import rule violation(s)")
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
