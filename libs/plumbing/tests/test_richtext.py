"""plumbing.richtext: the one sanitizer of rich text (company descriptions, job offers). It is the
only authority on the HTML kept (the editor offers the same formats, but anything can be posted),
and it turns text pasted from Word into readable paragraphs and lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plumbing.richtext import plain_text, sanitize_html

WORD_PASTE = (Path(__file__).parent / "data" / "word-offer-paste.html").read_text(encoding="utf-8")
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}


def tags_and_attributes(html: str) -> tuple[set[str], set[str]]:
    tags = set(re.findall(r"</?([a-zA-Z][\w:-]*)", html))
    attributes = set(re.findall(r"\s([a-zA-Z-]+)=", html))
    return tags, attributes


def test_the_formats_of_the_editor_are_kept_and_links_open_in_a_new_window() -> None:
    html = (
        "<p>Bonjour <strong>gras</strong> <em>italique</em></p><ul><li>un</li></ul><ol><li>deux</li></ol>"
        '<p><a href="https://genivert.ca">site</a><br>suite</p>'
    )
    assert sanitize_html(html) == html.replace(
        '<a href="https://genivert.ca">', '<a href="https://genivert.ca" target="_blank" rel="noopener noreferrer">'
    )


def test_sanitizing_twice_changes_nothing() -> None:
    once = sanitize_html(WORD_PASTE)
    assert sanitize_html(once) == once
    assert sanitize_html("") == "" and sanitize_html("   ") == ""


@pytest.mark.parametrize(
    ("hostile", "kept"),
    [
        ('<p onclick="x()" style="color:red">a<script>alert(1)</script></p>', "<p>a</p>"),
        ('<p><a href="javascript:alert(1)">piège</a> et <a href="/relatif">relatif</a></p>', "<p>piège et relatif</p>"),
        ('<p><a href="JaVaScRiPt:alert(1)">a</a><a href=" javascript:alert(1)">b</a></p>', "<p>ab</p>"),
        (
            '<p><a href="jav&#x09;ascript:alert(1)">tab</a> <a href="&#106;avascript:alert(1)">entité</a></p>',
            "<p>tab entité</p>",
        ),
        ('<p><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">données</a></p>', "<p>données</p>"),
        ('<p><a href="vbscript:msgbox(1)">vb</a><a href="file:///etc/passwd">fichier</a></p>', "<p>vbfichier</p>"),
        (
            "<h1>Titre</h1><table><tr><td>cellule</td></tr></table><img src=x onerror=alert(1)>",
            "<p><strong>Titre</strong></p><p>cellule</p>",
        ),
        ('<p class="MsoNormal"><b>Word</b><o:p></o:p></p>', "<p><strong>Word</strong></p>"),
        (
            '<style>p{color:red}</style><p>texte</p><link rel="stylesheet" href="https://x.example/s.css">',
            "<p>texte</p>",
        ),
        ('<iframe src="https://evil.example">cadre</iframe><p>après</p>', "<p>après</p>"),
        ('<svg onload="alert(1)"><script>alert(2)</script><text>svg</text></svg><p>ok</p>', "<p>ok</p>"),
        ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
        ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<p>a &amp;lt;b&amp;gt;</p>", "<p>a &amp;lt;b&amp;gt;</p>"),
        ('<object data="x.swf"><embed src="x.swf"></object><p>fin</p>', "<p>fin</p>"),
        (
            '<form action="https://evil.example"><input name="q" value="v"><button>Envoyer</button></form>',
            "<p>Envoyer</p>",
        ),
        (
            '<p><a href="https://ok.example" target="_self" rel="opener" style="x" onmouseover="y()">lien</a></p>',
            '<p><a href="https://ok.example" target="_blank" rel="noopener noreferrer">lien</a></p>',
        ),
        ('<div style="background:url(javascript:alert(1))">fond</div>', "<p>fond</p>"),
        ("<p>un<!-- commentaire <script>alert(1)</script> -->deux</p>", "<p>undeux</p>"),
        # noscript is parsed as markup (scripting off): what is left of the trick is harmless text.
        (
            '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript><p>z</p>',
            '<p>"&gt;</p><p>z</p>',
        ),
        ("<template><script>alert(1)</script></template><p>t</p>", "<p>t</p>"),
        ("<textarea><script>alert(1)</script></textarea><p>u</p>", "<p>u</p>"),
    ],
)
def test_hostile_or_foreign_html_is_reduced(hostile: str, kept: str) -> None:
    assert sanitize_html(hostile) == kept


def test_only_the_allow_list_survives_whatever_the_input() -> None:
    nasty = (
        '<p style="x" class="y" id="z" data-x="1"><span>a</span><font face="Arial">b</font>'
        '<u>c</u><s>d</s><sup>e</sup><img src="https://x/y.png" alt="f"></p><base href="https://evil/">'
        '<meta http-equiv="refresh" content="0;url=https://evil/"><a href="mailto:rh@x.ca" download>m</a>'
    )
    cleaned = sanitize_html(nasty)
    tags, attributes = tags_and_attributes(cleaned)
    assert tags <= ALLOWED_TAGS
    assert attributes <= {"href", "target", "rel"}
    assert cleaned.startswith("<p>abcde</p>")


def test_private_markers_in_the_input_cannot_forge_lists() -> None:
    assert sanitize_html("<p>\ue000ol\ue001texte</p>") == "<p>oltexte</p>"


def test_nbsp_runs_and_empty_paragraphs_disappear() -> None:
    html = (
        "<p>&nbsp;</p><p>un&nbsp;&nbsp;&nbsp; deux \n trois</p><p><br></p><p>  <strong> </strong> </p>"
        "<p>quatre<br><br></p>"
    )
    assert sanitize_html(html) == "<p>un deux trois</p><p>quatre</p>"


def test_nested_formats_and_spaces_at_their_edges_read_well() -> None:
    html = "<p><b>Gras <i>et italique</i></b> puis <em>italique </em>fin</p>"
    assert (
        sanitize_html(html)
        == "<p><strong>Gras</strong> <strong><em>et italique</em></strong> puis <em>italique</em> fin</p>"
    )


def test_bare_text_becomes_a_paragraph_and_real_lists_stay_nested() -> None:
    html = "Bonjour<ul><li>un<ul><li>un.un</li></ul></li><li><p>deux</p></li></ul>fin"
    assert sanitize_html(html) == "<p>Bonjour</p><ul><li>un<ul><li>un.un</li></ul></li><li>deux</li></ul><p>fin</p>"


def test_pasted_word_html_becomes_readable_paragraphs_and_lists() -> None:
    cleaned = sanitize_html(WORD_PASTE)
    tags, attributes = tags_and_attributes(cleaned)
    assert tags <= ALLOWED_TAGS
    assert attributes <= {"href", "target", "rel"}
    for leftover in (
        "mso",
        "Mso",
        "o:p",
        "<span",
        "font",
        "&nbsp;",
        "\xa0",
        "supportLists",
        "endif",
        "Word.Document",
        "Offre d'emploi",
        "Cambria",
        "·",
        "  ",
    ):
        assert leftover not in cleaned, leftover
    assert cleaned == (
        "<p><strong>Raison d’être du poste</strong></p>"
        "<p>Relevant de la directrice de l’ingénierie, l’<strong>ingénieur(e) de projets</strong> conçoit et "
        "supervise les <em>travaux</em> de réfection des ouvrages d’art de la Ville.</p>"
        "<p><strong>Principales tâches et responsabilités</strong></p>"
        "<ul><li>Préparer les plans et devis;</li><li>Surveiller les chantiers :"
        "<ul><li>qualité des matériaux;</li></ul></li><li>Rédiger les rapports d’avancement.</li></ul>"
        "<p><strong>Qualifications requises</strong></p>"
        "<ol><li>Baccalauréat en génie civil;</li><li>Membre de l’Ordre des ingénieurs du Québec.</li></ol>"
        '<p>Écrivez-nous : <a href="mailto:rh@ville.example.ca" target="_blank" rel="noopener noreferrer">'
        'rh@ville.example.ca</a> ou visitez <a href="https://ville.example.ca/carrieres" target="_blank" '
        'rel="noopener noreferrer">notre site</a>.</p>'
    )


def test_word_bullets_without_conditional_comments_still_make_lists() -> None:
    html = (
        "<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>a)"
        "<span>&nbsp;&nbsp; </span></span>premier</p>"
        "<p class=MsoListParagraph style='mso-list:l0 level1 lfo1'><span style='mso-list:Ignore'>b)"
        "<span>&nbsp;&nbsp; </span></span>second</p><p>après</p>"
    )
    assert sanitize_html(html) == "<ol><li>premier</li><li>second</li></ol><p>après</p>"


def test_plain_text_of_rich_text() -> None:
    assert plain_text(WORD_PASTE).startswith("Raison d’être du poste\n\nRelevant de la directrice")
    assert "- Préparer les plans et devis;" in plain_text(WORD_PASTE)
    assert plain_text("<p>a<script>b</script></p><ul><li>c</li></ul>") == "a\n\n- c"


PIECES = [
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<ul>",
    "</ul>",
    "<ol>",
    "</ol>",
    "<li>",
    "</li>",
    "<br>",
    "<div>",
    "</div>",
    "<h2>",
    "</h2>",
    "<span style='mso-list:Ignore'>",
    "</span>",
    "<td>",
    "<table>",
    "<p style='mso-list:l0 level2 lfo1'>",
    "<p style='mso-list:l0 level1 lfo1'>",
    "<!--[if !supportLists]-->",
    "<!--[endif]-->",
    "1.",
    "·",
    "&nbsp;",
    " ",
    "\n",
    "texte",
    "é",
    "&lt;",
    "&amp;",
    "<a href='https://x.ca'>",
    "<a href='javascript:alert(1)'>",
    "</a>",
    "<script>",
    "</script>",
    "<o:p>",
    "</o:p>",
    "<svg>",
    "</svg>",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_mix_of_pieces_gives_allowed_idempotent_html(pieces) -> None:
    cleaned = sanitize_html("".join(pieces))
    tags, attributes = tags_and_attributes(cleaned)
    assert tags <= ALLOWED_TAGS
    assert attributes <= {"href", "target", "rel"}
    assert "javascript" not in cleaned and "<script" not in cleaned
    assert sanitize_html(cleaned) == cleaned
