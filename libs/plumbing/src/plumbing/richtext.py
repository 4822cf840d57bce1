"""The one rich-text sanitizer of the suite (company descriptions, job offers), on nh3 (ammonia).

Kept: p, br, strong, em, ul, ol, li and links (http, https, mailto) opening in a new window with
rel="noopener noreferrer". Scripts, styles, frames, svg, math and the like are dropped with their
content; every other tag is unwrapped (its text kept); every attribute but href is removed (on*,
style, class…); a link whose address is refused (javascript:, data:, relative…) becomes its text.

Text pasted from Word is made readable on the way: `b`/`i` become `strong`/`em`, headings become
bold paragraphs, Word's list paragraphs (`mso-list:` with their `[if !supportLists]` bullets)
become real `ul`/`ol` lists (nested by level), `<o:p>`, spans, fonts, classes and conditional
comments go, runs of spaces and `&nbsp;` become one space, and empty paragraphs are dropped.

How: a first nh3 pass keeps a few structural tags (and the `style` of paragraphs, to see Word's
lists) and yields well-formed HTML; a small parser reshapes it into paragraphs and lists of
formatted text runs; a last nh3 pass with the strict allow-list above has the final word, so the
reshaping can never let anything through that the allow-list refuses.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

from plumbing.web.richtext import html_to_plain_text

__all__ = ["TAGS", "one_line", "plain_text", "sanitize_html"]

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
URL_SCHEMES = {"http", "https", "mailto"}
#: Dropped with everything inside them (never unwrapped into text).
_DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "title",
    "xml",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "noscript",
    "noembed",
    "noframes",
    "textarea",
    "select",
    "canvas",
    "audio",
    "video",
    "head",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: Unwrapped in the end, but they end the current paragraph (so their texts do not run together).
_BOUNDARIES = {
    "div",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "dl",
    "dt",
    "dd",
    "pre",
    "address",
    "center",
    "hr",
}
_FIRST_PASS_TAGS = TAGS | {"b", "i"} | _HEADINGS | _BOUNDARIES

#: A link whose address was refused (javascript:, relative…) keeps its text and loses its tag.
_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\bhref=)[^>]*>(.*?)</a>", re.S)
#: Word's list bullets: `<!--[if !supportLists]-->·&nbsp;&nbsp;<!--[endif]-->` (or `<![if …]>`).
_SUPPORT_LISTS = re.compile(r"<!(?:--)?\[if\s+!supportLists\](?:--)?>(.*?)<!(?:--)?\[endif\](?:--)?>", re.S | re.I)
#: The same bullets when the conditional comments were lost: `<span style='mso-list:Ignore'>`.
_IGNORED_BULLET = re.compile(r"<span[^>]*mso-list:\s*ignore[^>]*>(.*?)</span>", re.S | re.I)
_ORDERED_BULLET = re.compile(r"^\(?([0-9]{1,3}|[a-z]{1,2}|[ivxlc]{1,6})[.)]$", re.I)
_MSO_LIST = re.compile(r"mso-list:\s*l\d+", re.I)
_MSO_LEVEL = re.compile(r"level(\d+)", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u200b]+")
#: Private-use characters marking a Word bullet between the first pass and the reshaping.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{_MARK_OPEN}(ul|ol){_MARK_CLOSE}")


def sanitize_html(html: str) -> str:
    """Clean rich text for storage and display (the allow-list above); idempotent."""
    if not html:
        return ""
    marked = _mark_word_bullets(html.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, ""))
    structural = nh3.clean(
        marked,
        tags=_FIRST_PASS_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes={"a": {"href"}, "p": {"style"}},
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        link_rel=None,
        strip_comments=True,
    )
    reshaped = _reshape(structural)
    cleaned = nh3.clean(
        reshaped,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        link_rel="noopener noreferrer",
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )
    return _LINK_WITHOUT_HREF.sub(r"\1", cleaned).strip()


def one_line(text: str) -> str:
    """Typed text on one line: control characters (line breaks included) become spaces, runs of
    spaces one (a name or a file name that may end up in an email header)."""
    return " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text).split())


def plain_text(html: str) -> str:
    """The text of rich text (sanitized first): paragraphs apart by a blank line, items on lines."""
    return html_to_plain_text(sanitize_html(html))


def _bullet_mark(fragment: str) -> str:
    text = _SPACES.sub("", html_lib.unescape(_TAG.sub("", fragment)))
    kind = "ol" if _ORDERED_BULLET.match(text) else "ul"
    return f"{_MARK_OPEN}{kind}{_MARK_CLOSE}"


def _mark_word_bullets(html: str) -> str:
    html = _SUPPORT_LISTS.sub(lambda m: _bullet_mark(m.group(1)), html)
    return _IGNORED_BULLET.sub(lambda m: _bullet_mark(m.group(1)), html)


@dataclass
class _Run:
    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None
    br: bool = False  # a line break (no text)


@dataclass
class _Block:
    kind: str  # "p" or "li"
    level: int = 0
    list_type: str = "ul"
    bold: bool = False  # headings
    runs: list[_Run] = field(default_factory=list)
    marked: bool = False


class _Reshaper(HTMLParser):
    """Well-formed first-pass HTML → blocks (paragraphs, list items) of formatted text runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.lists: list[str] = []  # the source's own ul/ol nesting
        self.bold = 0
        self.italic = 0
        self.links: list[str | None] = []

    # -- blocks --
    def _end_block(self) -> None:
        if self.block is not None:
            self.blocks.append(self.block)
            self.block = None

    def _current(self) -> _Block:
        if self.block is None:
            if self.lists:
                self.block = _Block("li", level=len(self.lists), list_type=self.lists[-1])
            else:
                self.block = _Block("p")
        return self.block

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "p":
            if self.block is not None and self.block.kind == "li" and self.lists:
                if self.block.runs:  # a paragraph inside a list item: a line break
                    self.block.runs.append(_Run("", br=True))
                return
            self._end_block()
            style = values.get("style") or ""
            if _MSO_LIST.search(style):
                level = _MSO_LEVEL.search(style)
                self.block = _Block("li", level=int(level.group(1)) if level else 1)
            else:
                self.block = _Block("p")
        elif tag in _HEADINGS:
            self._end_block()
            self.block = _Block("p", bold=True)
        elif tag in {"ul", "ol"}:
            self._end_block()
            self.lists.append(tag)
        elif tag == "li":
            self._end_block()
            self.block = _Block("li", level=max(1, len(self.lists)), list_type=self.lists[-1] if self.lists else "ul")
        elif tag in _BOUNDARIES:
            self._end_block()
        elif tag in {"b", "strong"}:
            self.bold += 1
        elif tag in {"i", "em"}:
            self.italic += 1
        elif tag == "a":
            self.links.append(values.get("href"))
        elif tag == "br":
            self._current().runs.append(_Run("", br=True))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            if self.block is not None and self.block.kind == "li" and self.lists:
                return
            self._end_block()
        elif tag in _HEADINGS or tag == "li" or tag in _BOUNDARIES:
            self._end_block()
        elif tag in {"ul", "ol"}:
            self._end_block()
            if self.lists:
                self.lists.pop()
        elif tag in {"b", "strong"}:
            self.bold = max(0, self.bold - 1)
        elif tag in {"i", "em"}:
            self.italic = max(0, self.italic - 1)
        elif tag == "a" and self.links:
            self.links.pop()

    def handle_data(self, data: str) -> None:
        mark = _MARK.search(data)
        if mark:
            block = self._current()
            if not block.marked and not _SPACES.sub("", "".join(r.text for r in block.runs)):
                if block.kind == "p":  # a Word list paragraph whose mso-list style was lost
                    block.kind, block.level = "li", 1
                block.list_type, block.marked = mark.group(1), True
            data = _MARK.sub("", data)
        if not data or (self.block is None and not _SPACES.sub("", data)):
            return
        href = next((link for link in reversed(self.links) if link), None)
        self._current().runs.append(_Run(data, bold=self.bold > 0, italic=self.italic > 0, href=href))

    def close(self) -> None:
        super().close()
        self._end_block()


def _inline(block: _Block) -> str:
    """A block's runs as inline HTML: spaces collapsed, adjacent runs of one format merged."""
    merged: list[_Run] = []
    for run in block.runs:
        text = _SPACES.sub(" ", run.text)
        previous = merged[-1] if merged else None
        if run.br:
            if previous is not None and not previous.br:
                previous.text = previous.text.rstrip(" ")
            merged.append(run)
            continue
        run = _Run(text, run.bold or block.bold, run.italic, run.href)
        if previous is None or previous.br or previous.text.endswith(" "):
            text = text.lstrip(" ")
            run.text = text
        if not text:
            continue
        if (
            previous is not None
            and not previous.br
            and (previous.bold, previous.italic, previous.href) == (run.bold, run.italic, run.href)
        ):
            previous.text += text
        else:
            merged.append(run)
    # No line breaks or spaces at either end.
    while merged and (merged[-1].br or not merged[-1].text.strip()):
        merged.pop()
    while merged and (merged[0].br or not merged[0].text.strip()):
        merged.pop(0)
    if merged:
        merged[-1].text = merged[-1].text.rstrip(" ")
    parts = []
    for run in merged:
        if run.br:
            parts.append("<br>")
            continue
        # A space at a format's edge goes outside it ("<strong>a</strong> b").
        core = run.text.strip(" ")
        lead = " " if run.text.startswith(" ") else ""
        trail = " " if run.text.endswith(" ") and core else ""
        piece = html_lib.escape(core, quote=False)
        if run.italic:
            piece = f"<em>{piece}</em>"
        if run.bold:
            piece = f"<strong>{piece}</strong>"
        if run.href:
            piece = f'<a href="{html_lib.escape(run.href, quote=True)}">{piece}</a>'
        parts.append(lead + piece + trail)
    return "".join(parts)


def _reshape(structural: str) -> str:
    parser = _Reshaper()
    parser.feed(structural)
    parser.close()
    out: list[str] = []
    stack: list[str] = []  # open lists, each with an open <li>
    for block in parser.blocks:
        content = _inline(block)
        if not content:
            continue
        if block.kind != "li":
            while stack:
                out.append(f"</li></{stack.pop()}>")
            out.append(f"<p>{content}</p>")
            continue
        level, kind = max(1, min(block.level, 9)), block.list_type
        while len(stack) > level:
            out.append(f"</li></{stack.pop()}>")
        if len(stack) == level and stack[-1] != kind:
            out.append(f"</li></{stack.pop()}>")
        if len(stack) == level:
            out.append("</li><li>")
        while len(stack) < level:
            out.append(f"<{kind}><li>")
            stack.append(kind)
        out.append(content)
    while stack:
        out.append(f"</li></{stack.pop()}>")
    return "".join(out)
