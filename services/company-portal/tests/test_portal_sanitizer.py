"""The company description's sanitizer: the only authority on the rich text kept (the editor
offers the same formats, but anything can be posted)."""

from __future__ import annotations

import pytest

from company_portal.adapters.sanitizer import sanitize_html


def test_the_formats_of_the_editor_are_kept_and_links_open_in_a_new_window() -> None:
    html = ('<p>Bonjour <strong>gras</strong> <em>italique</em></p><ul><li>un</li></ul><ol><li>deux</li></ol>'
            '<p><a href="https://genivert.ca">site</a><br>suite</p>')
    assert sanitize_html(html) == html.replace(
        '<a href="https://genivert.ca">', '<a href="https://genivert.ca" target="_blank" rel="noopener noreferrer">')


@pytest.mark.parametrize(("hostile", "kept"), [
    ('<p onclick="x()" style="color:red">a<script>alert(1)</script></p>', "<p>a</p>"),
    ('<p><a href="javascript:alert(1)">piège</a> et <a href="/relatif">relatif</a></p>', "<p>piège et relatif</p>"),
    ('<h1>Titre</h1><table><tr><td>cellule</td></tr></table><img src=x onerror=alert(1)>', "Titrecellule"),
    ('<p class="MsoNormal"><b>Word</b><o:p></o:p></p>', "<p>Word</p>"),
])
def test_hostile_or_foreign_html_is_reduced(hostile: str, kept: str) -> None:
    assert sanitize_html(hostile) == kept
