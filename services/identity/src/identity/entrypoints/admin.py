"""Operator commands.

    python -m identity.entrypoints.admin create-staff --email prenom.nom@oiq.qc.ca \
        [--password …] [--first-name …] [--last-name …]

Without --password, the password is asked twice on the terminal (it then stays out of the shell
history and the process list). The database must be migrated (`python -m plumbing.entry migrate
identity`). Exit status: 0 created, 1 refused (the reason is printed in French and English).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from identity.domain.errors import IdentityError
from identity.service_layer import commands


def _password(given: str | None) -> str:
    if given is not None:
        return given
    first = getpass.getpass("Mot de passe / Password: ")
    if getpass.getpass("Confirmer / Confirm: ") != first:
        raise SystemExit("Les mots de passe ne correspondent pas. / The passwords do not match.")
    return first


def create_staff(args: argparse.Namespace) -> int:
    from identity.bootstrap import bootstrap

    bundle = bootstrap()
    command = commands.CreateVerifiedAccount(
        email=args.email, password=_password(args.password), kind="staff",
        first_name=args.first_name, last_name=args.last_name,
    )
    try:
        account = bundle.extras["bus"].handle(command)
    except IdentityError as error:
        print(f"Refusé : {error.message_fr}\nRefused: {error.message_en}", file=sys.stderr)
        return 1
    print(f"Compte du personnel créé / staff account created: {account.email} ({account.id})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m identity.entrypoints.admin",
                                     description="identity operator commands")
    sub = parser.add_subparsers(dest="command", required=True)
    staff = sub.add_parser("create-staff", help="create a verified OIQ staff account")
    staff.add_argument("--email", required=True)
    staff.add_argument("--password", help="omit to be asked on the terminal")
    staff.add_argument("--first-name", default="Personnel")
    staff.add_argument("--last-name", default="OIQ")
    staff.set_defaults(run=create_staff)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
