"""Demo data for `make run`: one OIQ staff member, employers, job seekers. Idempotent."""

from __future__ import annotations

from pathlib import Path

from plumbing.service import ServiceBundle

DEMO_PASSWORD = "Demo-ingemplois-2026"

DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    # (email, kind, first name, last name)
    ("personnel@oiq-demo.ca", "staff", "Sophie", "Bélanger"),
    ("marie.tremblay@genivert-demo.ca", "employer", "Marie", "Tremblay"),
    ("luc.gagnon@genivert-demo.ca", "employer", "Luc", "Gagnon"),
    ("nadia.cote@structura-demo.ca", "employer", "Nadia", "Côté"),
    ("alex.roy@courriel-demo.ca", "member", "Alex", "Roy"),
]


def seed_demo(bundles: dict[str, ServiceBundle]) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet; return (role, email, password) rows."""
    from identity.bootstrap import create_account_directly

    identity = bundles["identity"]
    logins = []
    for email, kind, first_name, last_name in DEMO_ACCOUNTS:
        create_account_directly(identity, email, DEMO_PASSWORD, kind, first_name, last_name, verified=True)
        logins.append((kind, email, DEMO_PASSWORD))
    return logins


def print_banner(url: str, logins: list[tuple[str, str, str]], mail_dir: Path) -> None:
    labels = {"staff": "Personnel OIQ", "employer": "Employeur", "member": "Candidat·e"}
    lines = ["", f"  ingemplois est prêt : {url}", ""]
    if logins:
        lines.append("  Comptes de démonstration (mot de passe identique pour tous) :")
        lines += [f"    {labels.get(kind, kind):<14} {email}" for kind, email, _ in logins]
        lines.append(f"    mot de passe : {logins[0][2]}")
        lines.append("")
    lines.append(f"  Courriels envoyés : {mail_dir}/ (un fichier .eml par message)")
    lines.append("  Arrêt : Ctrl+C")
    print("\n".join(lines), flush=True)
