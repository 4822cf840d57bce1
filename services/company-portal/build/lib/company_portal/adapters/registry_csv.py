"""The Registraire des entreprises du Québec open data (« Entreprise.csv », « Nom.csv »).

The export's `Entreprise.csv` has one row per enterprise: `NEQ`, `COD_STAT_IMMAT` (IM =
immatriculée; others are struck off or closed), `ADR_DOMCL_ADR_DISP` (O/N: address disclosed),
`ADR_DOMCL_LIGN1_ADR` (street), `ADR_DOMCL_LIGN2_ADR` (usually "City (Province)", sometimes a
second address line, the city then moving to `ADR_DOMCL_LIGN3_ADR`), `ADR_DOMCL_LIGN4_ADR`
(postal code), and many more we do not need. Names are in `Nom.csv` (`NEQ`, `NOM_ASSUJ`,
`STAT_NOM` V = in force, `TYP_NOM_ASSUJ` N = the legal name). A flattened file that carries
`NOM_ASSUJ` on each `Entreprise.csv` row (what `generate-sample` writes) needs no `Nom.csv`.
"""

from __future__ import annotations

import csv
import io
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from company_portal.domain import validation as v
from company_portal.domain.names import fold
from company_portal.domain.registry import RegistryEntry

ACTIVE_STATUS = "IM"
REQUIRED_COLUMNS = ("NEQ",)
_CITY_AND_REGION = re.compile(r"^(.*?)\s*\(([^)]*)\)\s*$")
_CITY_AND_CODE = re.compile(r"^(.*?)\s+(QC|ON|NB|NS|PE|NL|MB|SK|AB|BC|YT|NT|NU)$", re.IGNORECASE)


@dataclass
class ParsedFile:
    rows: list[RegistryEntry] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)


class RegistryFileError(Exception):
    """The file cannot be read as a registry export (missing columns, not CSV)."""


def _open_text(path: Path) -> io.TextIOBase:
    with path.open("rb") as raw:
        head = raw.read(1 << 16)
    try:
        head.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"  # older exports
    return path.open("r", encoding=encoding, newline="")


def _region(label: str) -> tuple[str, str]:
    """A "(Québec)"-style label → (province code, country)."""
    folded = fold(label)
    for code, (fr, en) in v.PROVINCES.items():
        if folded in {fold(fr), fold(en), code.lower()}:
            return code, v.CANADA
    return "", label.strip().title() or v.CANADA


def split_city(line2: str, line3: str) -> tuple[str, str, str, str]:
    """(extra address line, city, province, country) from the export's lines 2 and 3."""
    for extra, candidate in (("", line2), (line2, line3)):
        match = _CITY_AND_REGION.match(candidate)
        if match:
            province, country = _region(match.group(2))
            return extra, match.group(1).strip(), province, country
        match = _CITY_AND_CODE.match(candidate)
        if match:
            return extra, match.group(1).strip(), match.group(2).upper(), v.CANADA
    if line3:
        return line2, line3, "", v.CANADA
    return "", line2, "", v.CANADA


def clean_postal_code(raw: str) -> str:
    compact = raw.replace(" ", "").upper()
    match = v.POSTAL_CODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else raw.strip()


def read_legal_names(path: Path) -> dict[str, str]:
    """NEQ → legal name in force, from `Nom.csv`."""
    names: dict[str, str] = {}
    with _open_text(path) as handle:
        for row in csv.DictReader(handle):
            neq = (row.get("NEQ") or "").strip()
            name = " ".join((row.get("NOM_ASSUJ") or "").split())
            in_force = (row.get("STAT_NOM") or "V").strip().upper() in {"V", ""}
            legal = (row.get("TYP_NOM_ASSUJ") or "N").strip().upper() in {"N", ""}
            if neq and name and in_force and legal:
                names[neq] = name
    return names


def parse_registry(path: Path, names: dict[str, str] | None = None) -> ParsedFile:
    """Read an export; each unusable row is reported with its line number and the reason."""
    parsed = ParsedFile()
    seen: dict[str, int] = {}
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or [])
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing or ("NOM_ASSUJ" not in columns and names is None):
            raise RegistryFileError(
                f"{path.name}: colonnes manquantes / missing columns: "
                f"{', '.join(missing + ([] if 'NOM_ASSUJ' in columns or names is not None else ['NOM_ASSUJ']))}")
        for row in reader:
            line = reader.line_num
            for problem in _row_problems(row, names, seen, line):
                parsed.invalid.append((line, problem))
                break
            else:
                parsed.rows.append(_registry_row(row, names, line))
                seen[parsed.rows[-1].neq] = line
    return parsed


def _cell(row: dict[str, str | None], name: str) -> str:
    return " ".join((row.get(name) or "").split())


def _row_problems(row: dict[str, str | None], names: dict[str, str] | None, seen: dict[str, int],
                  line: int) -> Iterator[str]:
    neq = _cell(row, "NEQ")
    if not (len(neq) == 10 and neq.isdigit() and neq.isascii()):
        yield f"NEQ invalide ({neq!r}) : 10 chiffres attendus / invalid NEQ: 10 digits expected"
        return
    if neq in seen:
        yield f"NEQ en double (déjà à la ligne {seen[neq]}) / duplicate NEQ (already on line {seen[neq]})"
    name = _cell(row, "NOM_ASSUJ") or (names or {}).get(neq, "")
    if not name:
        yield "nom légal manquant / missing legal name"
    elif len(name) > 300:
        yield "nom légal de plus de 300 caractères / legal name longer than 300 characters"
    if None in row:
        yield "colonnes en trop (guillemets mal fermés ?) / extra columns (unbalanced quotes?)"


def _registry_row(row: dict[str, str | None], names: dict[str, str] | None, line: int) -> RegistryEntry:
    neq = _cell(row, "NEQ")
    status = _cell(row, "COD_STAT_IMMAT").upper()
    disclosed = _cell(row, "ADR_DOMCL_ADR_DISP").upper() != "N"
    name = _cell(row, "NOM_ASSUJ") or (names or {}).get(neq, "")
    if not disclosed:
        return RegistryEntry(line, neq, name, active=status in {"", ACTIVE_STATUS})
    extra, city, province, country = split_city(_cell(row, "ADR_DOMCL_LIGN2_ADR"), _cell(row, "ADR_DOMCL_LIGN3_ADR"))
    address = ", ".join(p for p in (_cell(row, "ADR_DOMCL_LIGN1_ADR"), extra) if p)
    return RegistryEntry(
        line, neq, name, active=status in {"", ACTIVE_STATUS}, address=address[:200], city=city[:100],
        province=province, postal_code=clean_postal_code(_cell(row, "ADR_DOMCL_LIGN4_ADR"))[:20],
        country=country[:100],
    )


# The generated sample -----------------------------------------------------------------------
SAMPLE_COLUMNS = ("NEQ", "COD_STAT_IMMAT", "COD_FORME_JURI", "DAT_IMMAT", "ADR_DOMCL_ADR_DISP",
                  "ADR_DOMCL_LIGN1_ADR", "ADR_DOMCL_LIGN2_ADR", "ADR_DOMCL_LIGN3_ADR", "ADR_DOMCL_LIGN4_ADR",
                  "NOM_ASSUJ")

#: Companies every sample holds (the demo and the tests rely on them), with their NEQ.
ANCHORS = (
    ("1165432109", "Génivert inc.", "1200, rue Saint-Denis", "Montréal", "H2X 3J6"),
    ("1171234567", "Génie-Conseil Rivière inc.", "455, rue des Forges", "Trois-Rivières", "G9A 2H4"),
    ("1179876543", "Structura Ingénierie ltée", "2600, boulevard Laurier", "Québec", "G1V 4T3"),
    ("1148765432", "Génie-Conseil Rivière-du-Loup inc.", "298, boulevard Armand-Thériault", "Rivière-du-Loup",
     "G5R 4C2"),
    ("1143216549", "Services Génie-Conseil Rivière ltée", "75, rue Wellington Nord", "Sherbrooke", "J1H 5A9"),
)

CITIES = (
    ("Montréal", ("H1A", "H1G", "H2J", "H2X", "H3A", "H3C", "H4N", "H8T")), ("Laval", ("H7L", "H7N", "H7T")),
    ("Québec", ("G1K", "G1R", "G1V", "G2E")), ("Lévis", ("G6V", "G6W")), ("Sherbrooke", ("J1H", "J1K", "J1L")),
    ("Gatineau", ("J8T", "J8Y", "J9H")), ("Trois-Rivières", ("G8T", "G9A")), ("Saguenay", ("G7H", "G7B")),
    ("Longueuil", ("J4H", "J4K")), ("Terrebonne", ("J6W",)), ("Rimouski", ("G5L",)),
    ("Drummondville", ("J2B", "J2C")), ("Saint-Jérôme", ("J7Y", "J7Z")), ("Granby", ("J2G", "J2H")),
    ("Blainville", ("J7C",)), ("Brossard", ("J4W", "J4Z")), ("Saint-Hyacinthe", ("J2S",)),
    ("Rouyn-Noranda", ("J9X",)), ("Val-d'Or", ("J9P",)), ("Sept-Îles", ("G4R",)), ("Baie-Comeau", ("G4Z",)),
    ("Alma", ("G8B",)), ("Shawinigan", ("G9N",)), ("Victoriaville", ("G6P",)), ("Joliette", ("J6E",)),
    ("Rivière-du-Loup", ("G5R",)), ("Magog", ("J1X",)), ("Saint-Georges", ("G5Y", "G5Z")),
    ("Thetford Mines", ("G6G",)), ("Mont-Laurier", ("J9L",)), ("Gaspé", ("G4X",)), ("Boucherville", ("J4B",)),
    ("Repentigny", ("J5Y", "J6A")), ("Mirabel", ("J7J",)), ("Saint-Jean-sur-Richelieu", ("J2W", "J3A", "J3B")),
    ("Châteauguay", ("J6J", "J6K")), ("Salaberry-de-Valleyfield", ("J6S", "J6T")), ("Sorel-Tracy", ("J3P", "J3R")),
    ("Beloeil", ("J3G",)), ("Mascouche", ("J7K", "J7L")), ("Cowansville", ("J2K",)), ("Sainte-Julie", ("J3E",)),
    ("Vaudreuil-Dorion", ("J7V",)), ("Dorval", ("H9P", "H9S")), ("Pointe-Claire", ("H9R",)),
    ("Westmount", ("H3Y", "H3Z")), ("Saint-Félicien", ("G8K",)), ("Matane", ("G4W",)), ("La Malbaie", ("G5A",)),
    ("Amos", ("J9T",)),
)
STREET_TYPES = ("rue", "rue", "boulevard", "avenue", "chemin", "rang", "route", "montée", "place")
STREET_NAMES = (
    "Saint-Denis", "Sherbrooke Ouest", "Notre-Dame Est", "René-Lévesque", "des Érables", "de l'Église",
    "Principale", "du Lac", "Laurier", "Wellington", "King Ouest", "des Forges", "Talbot", "Champlain",
    "Marie-Victorin", "Taschereau", "Charest Est", "Wilfrid-Hamel", "de la Rivière", "Jean-Talon",
    "Saint-Joseph", "des Pionniers", "du Parc", "Industrielle", "de l'Aéroport", "Saint-Laurent", "Cartier",
    "des Laurentides", "Côte-Vertu", "Sainte-Catherine", "de la Gare", "Masson", "Papineau", "Hochelaga",
)
DOMAINS = (
    "Génie-Conseil", "Ingénierie", "Construction", "Consultants", "Laboratoires", "Structures", "Hydro",
    "Environnement", "Géotechnique", "Électrique", "Mécanique du bâtiment", "Aménagement", "Technologies",
    "Automatisation", "Arpentage", "Fondations", "Béton", "Énergie", "Solutions", "Services techniques",
    "Systèmes", "Infrastructures", "Ponts et chaussées", "Robotique", "Télécommunications", "Aéronautique",
    "Métallurgie", "Procédés", "Forestière", "Minière", "Maritime", "Géomatique", "Ventilation",
)
PLACES = (
    "Rivière", "Saint-Laurent", "Charlevoix", "Outaouais", "Mauricie", "Beauce", "Chaudière", "Laurentides",
    "Gaspésie", "Saguenay", "Lac-Saint-Jean", "Montérégie", "Estrie", "Boréal", "Nordique", "Érable",
    "Côte-Nord", "Abitibi", "Bas-Saint-Laurent", "Lanaudière", "Appalaches", "Richelieu", "Yamaska",
    "Manicouagan", "Témiscamingue", "Mistassini", "Matapédia", "Kamouraska", "Bellechasse", "Portneuf",
    "Fjord", "Cap-Rouge", "Montmorency", "Îles", "Trois-Lacs", "Pointe-Lévy", "Mont-Royal", "Haute-Côte",
)
FAMILIES = (
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
    "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard",
    "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc",
    "Lefebvre", "Poulin", "Thibault", "St-Pierre", "Nadeau", "Martin", "Landry", "Martel", "Bédard",
    "Grenier", "Lessard", "Bernier", "Richard", "Michaud", "Hébert", "Desjardins", "Couture", "Turcotte",
    "Lachance", "Parent", "Blais", "Gosselin", "Savard", "Proulx", "Beaudoin", "Demers", "Perreault",
    "Boudreau", "Lemieux", "Cyr", "Perron", "Dufour", "Dion", "Mercier", "Bolduc", "Bérubé", "Boisvert",
    "Langlois", "Ménard", "Labelle", "Giroux", "Émond", "Létourneau", "Frénette", "Thériault", "Allard",
)
SUFFIXES = ("inc.", "inc.", "inc.", "Inc.", "ltée", "Ltée", "INC.", "enr.", "s.e.n.c.", "S.E.N.C.R.L.", "")
FORMS = ("APE", "APE", "APE", "SENC", "PP")


def _postal(rng: random.Random, fsa: str) -> str:
    letters = "ABCEGHJKLMNPRSTVWXYZ"
    return f"{fsa} {rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}"


def _name(rng: random.Random) -> str:
    pattern = rng.randrange(8)
    suffix = rng.choice(SUFFIXES)
    if pattern == 0:
        base = f"{rng.choice(DOMAINS)} {rng.choice(PLACES)}"
    elif pattern == 1:
        base = f"{rng.choice(FAMILIES)}, {rng.choice(FAMILIES)} et associés"
    elif pattern == 2:
        base = f"{rng.choice(FAMILIES)} {rng.choice(DOMAINS)}"
    elif pattern == 3:
        base = f"Les Entreprises {rng.choice(FAMILIES)}"
    elif pattern == 4:
        base = f"Groupe {rng.choice(PLACES)} {rng.choice(DOMAINS)}"
    elif pattern == 5:
        return f"9{rng.randint(0, 999):03d}-{rng.randint(0, 9999):04d} Québec inc."
    elif pattern == 6:
        base = f"{rng.choice(DOMAINS)} {rng.choice(FAMILIES)}-{rng.choice(FAMILIES)}"
    else:
        base = f"{rng.choice(PLACES)} {rng.choice(DOMAINS)} {rng.choice(FAMILIES)}"
    return f"{base} {suffix}".strip()


def _near_duplicate(rng: random.Random, name: str) -> str:
    """How the same company looks when typed in by engineers: no accents, capitals, abbreviations."""
    trick = rng.randrange(4)
    if trick == 0:
        return fold(name).upper()
    if trick == 1:
        return name.replace("Génie-Conseil", "Génie-Cons.").replace("Ingénierie", "Ing.").replace(" inc.", "")
    if trick == 2:
        base = name
        for suffix in SUFFIXES:
            if suffix and base.casefold().endswith(" " + suffix.casefold()):
                base = base[: -len(suffix) - 1]
                break
        return f"{base} (Québec) inc."
    return fold(name).title()


def generate_sample(count: int, seed: int) -> Iterator[dict[str, str]]:
    """`count` deterministic rows in the export's columns (anchors first, ~3 % near-duplicates)."""
    from company_portal.domain.names import search_key

    rng = random.Random(seed)
    anchor_keys = {search_key(name) for _, name, *_ in ANCHORS}
    used_neqs = {neq for neq, *_ in ANCHORS}
    produced: list[str] = []
    for neq, name, street, city, postal in ANCHORS[:count]:
        produced.append(name)
        yield _row(neq, name, street, city, postal, rng)
    while len(produced) < count:
        if produced[len(ANCHORS):] and rng.random() < 0.03:
            name = _near_duplicate(rng, rng.choice(produced[len(ANCHORS):]))
        else:
            name = _name(rng)
        if search_key(name) in anchor_keys:
            continue
        neq = f"11{rng.choice('4677')}{rng.randint(0, 9_999_999):07d}"
        if neq in used_neqs:
            continue
        used_neqs.add(neq)
        city, fsas = rng.choice(CITIES)
        street = f"{rng.randint(1, 9999)}, {rng.choice(STREET_TYPES)} {rng.choice(STREET_NAMES)}"
        produced.append(name)
        yield _row(neq, name, street, city, _postal(rng, rng.choice(fsas)), rng)


def _row(neq: str, name: str, street: str, city: str, postal: str, rng: random.Random) -> dict[str, str]:
    suite = rng.random() < 0.08
    status = "IM" if rng.random() < 0.97 or neq.startswith("116") else rng.choice(("RD", "RX"))
    year = rng.randint(1975, 2025)
    return {
        "NEQ": neq,
        "COD_STAT_IMMAT": "IM" if any(neq == a[0] for a in ANCHORS) else status,
        "COD_FORME_JURI": rng.choice(FORMS),
        "DAT_IMMAT": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "ADR_DOMCL_ADR_DISP": "O",
        "ADR_DOMCL_LIGN1_ADR": street,
        "ADR_DOMCL_LIGN2_ADR": f"bureau {rng.randint(100, 900)}" if suite else f"{city} (Québec)",
        "ADR_DOMCL_LIGN3_ADR": f"{city} (Québec)" if suite else "",
        "ADR_DOMCL_LIGN4_ADR": postal.replace(" ", "") if rng.random() < 0.5 else postal,
        "NOM_ASSUJ": name,
    }


def write_sample(path: Path, count: int, seed: int) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SAMPLE_COLUMNS)
        writer.writeheader()
        for row in generate_sample(count, seed):
            writer.writerow(row)
            written += 1
    return written
