"""Every French string of the job seekers' pages has its English translation."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import mailer

PACKAGE_DIR = Path(mailer.__file__).resolve().parent
METHODS = [("**.py", "python"), ("**/templates/members/**.html", "jinja2")]


def test_every_string_is_translated_to_english():
    with (PACKAGE_DIR / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="en")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}
    strings = {message if isinstance(message, str) else message[0]
               for _file, _line, message, _comments, _context in extract_from_dir(str(PACKAGE_DIR), METHODS,
                                                                                  keywords=DEFAULT_KEYWORDS)}
    assert len(strings) > 40
    assert sorted(s for s in strings if not translated.get(s)) == []
    assert not catalog.fuzzy
