"""The diff against the last approved version: changed fields, and the descriptions line by line."""

from offers_testkit import content

from moderation.domain.offer_diff import diff_content, html_lines, text_diff


def test_html_is_read_as_one_line_per_block():
    html = "<p>Raison d'être&nbsp;: <strong>bâtir</strong>.</p><ul><li>Tâche 1</li><li>Tâche 2</li></ul><h3>Titre</h3>"
    assert html_lines(html) == ["Raison d'être : bâtir.", "• Tâche 1", "• Tâche 2", "Titre"]
    assert html_lines(None) == []


def test_no_live_version_means_no_diff():
    assert diff_content(None, content()) is None


def test_unchanged_content_has_no_change_even_with_other_whitespace_or_markup():
    live = content()
    current = content(description_fr=live["description_fr"].replace("<p>", "<p> "), salary=None)
    diff = diff_content(live, current)
    assert diff is not None and diff.changes == () and diff.descriptions == {}


def test_changed_fields_and_description_lines():
    live = content()
    current = content(
        title_en="Project lead",
        engineering_domains=["civil", "mecanique"],
        workplace={"kind": "outside_quebec"},
        description_fr="<p>Raison d'être du poste.</p><ul><li>Concevoir des ponts</li></ul>"
        "<p>Qualifications : membre de l'Ordre.</p>",
    )
    diff = diff_content(live, current)
    assert diff.changed_fields == ("title_en", "description_fr", "engineering_domains", "workplace")
    lines = [(line.kind, line.text) for line in diff.descriptions["description_fr"]]
    assert lines == [
        ("same", "Raison d'être du poste."),
        ("removed", "• Concevoir des ouvrages"),
        ("added", "• Concevoir des ponts"),
        ("same", "Qualifications : membre de l'Ordre."),
    ]


def test_text_diff_of_an_added_english_description():
    assert [(d.kind, d.text) for d in text_diff("", "<p>Role</p>")] == [("added", "Role")]
