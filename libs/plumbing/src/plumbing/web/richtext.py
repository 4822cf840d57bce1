"""Rich-text fields (ui.rich_text): what the form sends, turned into HTML for a sanitizer.

With JavaScript the editor sends HTML and `<name>_format=html`; without it the textarea sends
plain text, where blank lines separate paragraphs and a single line break stays a line break.
Nothing here decides what HTML is allowed: the owning service's sanitizer does, after this.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from html.parser import HTMLParser

_BLANK_LINES = re.compile(r"\n[ \t]*\n+")


def plain_text_to_html(text: str) -> str:
    """Paragraphs from blank-line-separated plain text; everything is escaped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]
    return "".join("<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


class _PlainText(HTMLParser):
    _BLOCKS = {"p", "ul", "ol", "div", "h1", "h2", "h3", "h4", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int]] = []

    def _break(self, blank: bool) -> None:
        text = "".join(self.parts).rstrip(" ")
        if not text:
            self.parts = []
            return
        wanted = "\n\n" if blank else "\n"
        if not text.endswith(wanted):
            text = text.rstrip("\n") + wanted
        self.parts = [text]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in {"ul", "ol"}:
            self._break(blank=not self.lists)
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            self._break(blank=False)
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
                self.parts.append(f"{counter[0]}. ")
            else:
                self.parts.append("- ")
        elif tag in self._BLOCKS:
            self._break(blank=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
            self._break(blank=not self.lists)
        elif tag in self._BLOCKS:
            self._break(blank=True)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_plain_text(html: str) -> str:
    """The textarea's text for stored HTML: paragraphs apart by a blank line, list items on lines."""
    parser = _PlainText()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts).strip()


def rich_text_from_form(form: Mapping[str, str], name: str) -> str:
    """The HTML a rich-text field sent: the editor's as it is, the textarea's as paragraphs.

    A form without the `_format` field (an older page, a script) is taken as HTML.
    """
    value = form.get(name, "") or ""
    if form.get(f"{name}_format", "html") != "text":
        return value
    return plain_text_to_html(value)
