"""Operator commands.

    python -m identity.entrypoints.admin create-staff --email prenom.nom@oiq.qc.ca \
        [--password …] [--first-name …] [--last-name …]
    python -m identity.entrypoints.admin rotate-signing-key [--compromised]
    python -m identity.entrypoints.admin signing-keys
    python -m identity.entrypoints.admin deactivate --email prenom.nom@entreprise.ca

Without --password, the password is asked twice on the terminal (it then stays out of the shell
history and the process list). The database must be migrated (`python -m plumbing.entry migrate
identity`). Exit status: 0 done, 1 refused (the reason is printed in French and English).

rotate-signing-key adds an Ed25519 key: it signs from IDENTITY_KEY_ACTIVATION_SECONDS later (at
once with --compromised), every identity process picks it up within IDENTITY_KEY_RELOAD_SECONDS,
and the older keys stay in the JWKS until the access tokens they signed have expired (with
--compromised they leave it at once). No restart is needed. signing-keys lists the keys.

deactivate closes an account (staff do the same through `POST /accounts/{id}/deactivation`): it
can no longer log in, and every session of it ends at once, the gateway's cached tokens included.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime

from identity.domain.errors import IdentityError
from identity.service_layer import commands
from identity.service_layer.handlers import SigningKeyView


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


STATUS_LABELS = {
    "signing": "signe / signing",
    "next": "signera / next",
    "retired": "retirée, publiée / retired, published",
    "unpublished": "hors JWKS / unpublished",
}


def _instant(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else "-"


def _print_keys(keys: list[SigningKeyView]) -> None:
    print("generation  kid  status  signs from  published until")
    for key in keys:
        print(f"{key.generation}  {key.kid}  {STATUS_LABELS[key.status]}  {_instant(key.signs_from)}  "
              f"{_instant(key.published_until)}")


def rotate_signing_key(args: argparse.Namespace) -> int:
    from identity.bootstrap import bootstrap

    bundle = bootstrap()
    try:
        keys = bundle.extras["bus"].handle(commands.RotateSigningKey(compromised=args.compromised))
    except IdentityError as error:
        print(f"Refusé : {error.message_fr}\nRefused: {error.message_en}", file=sys.stderr)
        return 1
    new = keys[-1]
    print(f"Nouvelle clé / new key: {new.kid} (generation {new.generation}), "
          f"signe à partir de / signs from {_instant(new.signs_from)}")
    _print_keys(keys)
    return 0


def list_signing_keys(args: argparse.Namespace) -> int:
    from identity.bootstrap import bootstrap

    _print_keys(bootstrap().extras["bus"].handle(commands.ListSigningKeys()))
    return 0


def deactivate(args: argparse.Namespace) -> int:
    from identity.bootstrap import bootstrap

    bus = bootstrap().extras["bus"]
    try:
        found = bus.handle(commands.FindAccount(args.email))
        if found is None:
            raise IdentityError("Aucun compte n'a cette adresse.", "No account has this address.")
        account = bus.handle(commands.DeactivateAccount(account_id=found.id))
    except IdentityError as error:
        print(f"Refusé : {error.message_fr}\nRefused: {error.message_en}", file=sys.stderr)
        return 1
    print(f"Compte désactivé, sessions fermées / account deactivated, sessions ended: {account.email}")
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
    rotate = sub.add_parser("rotate-signing-key",
                            help="add a signing key; the older ones retire once the tokens they signed expired")
    rotate.add_argument("--compromised", action="store_true",
                        help="the new key signs at once and the older keys leave the JWKS at once")
    rotate.set_defaults(run=rotate_signing_key)
    listing = sub.add_parser("signing-keys", help="list the signing keys and what each does now")
    listing.set_defaults(run=list_signing_keys)
    closing = sub.add_parser("deactivate", help="deactivate an account: no log-in, every session ended at once")
    closing.add_argument("--email", required=True)
    closing.set_defaults(run=deactivate)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
