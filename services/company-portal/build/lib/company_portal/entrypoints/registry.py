"""The company registry from the command line.

    python -m company_portal.entrypoints.registry import-csv Entreprise.csv [--names Nom.csv]
    python -m company_portal.entrypoints.registry generate-sample --count 20000 --seed 42 sample.csv

`import-csv` loads a Registraire des entreprises du Québec export into the database named by
COMPANY_PORTAL_DATABASE_URL (idempotent by NEQ: run it again after each new export); every row
it cannot use is listed with its line number and the reason. `generate-sample` writes a
deterministic, realistic file in the export's columns (the embedded suite loads one at first start).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from company_portal.adapters import registry_csv
from company_portal.config import SERVICE, PortalConfig
from plumbing.config import Settings
from plumbing.migrations import upgrade


def _import(args: argparse.Namespace) -> int:
    from company_portal.bootstrap import MIGRATIONS_DIR, bootstrap, load_registry_file

    settings = Settings.from_env(SERVICE)
    upgrade(MIGRATIONS_DIR, settings.database_url)
    bundle = bootstrap(settings, config=PortalConfig())
    names_path = args.names or _sibling_names(args.file)
    try:
        names = registry_csv.read_legal_names(names_path) if names_path else None
        report = load_registry_file(bundle.bus, args.file, names, include_inactive=args.include_struck_off)
    except (registry_csv.RegistryFileError, OSError, UnicodeDecodeError) as exc:
        print(f"import impossible / cannot import: {exc}", file=sys.stderr)
        return 2
    for line, reason in report.invalid:
        print(f"{args.file.name}, ligne / line {line} : {reason}", file=sys.stderr)
    print(report.summary())
    return 0


def _sibling_names(path: Path) -> Path | None:
    """The official export puts legal names in Nom.csv next to Entreprise.csv."""
    candidate = path.with_name("Nom.csv")
    return candidate if candidate.is_file() and candidate != path else None


def _sample(args: argparse.Namespace) -> int:
    written = registry_csv.write_sample(args.file, args.count, args.seed)
    print(f"{written} entreprises écrites dans / companies written to {args.file}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m company_portal.entrypoints.registry",
                                     description="Registre des entreprises du portail / the portal's company registry")
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("import-csv", help="charger un export du Registraire / load a registry export")
    load.add_argument("file", type=Path)
    load.add_argument("--names", type=Path, help="Nom.csv (noms légaux) / legal names")
    load.add_argument("--include-struck-off", action="store_true",
                      help="garder les entreprises non immatriculées / keep struck-off enterprises")
    load.set_defaults(run=_import)
    sample = commands.add_parser("generate-sample", help="écrire un échantillon réaliste / write a realistic sample")
    sample.add_argument("--count", type=int, default=20000)
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("file", type=Path)
    sample.set_defaults(run=_sample)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
