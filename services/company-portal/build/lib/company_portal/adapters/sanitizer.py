"""The company description's rich text, cleaned with nh3 (ammonia): a short allow-list.

Kept: p, br, strong, em, ul, ol, li and links (http, https, mailto) opening in a new window with
rel="noopener noreferrer". Scripts and styles are dropped with their content; every other tag
is unwrapped (its text kept); every attribute but href is removed (on*, style, class…); a link
whose address is refused becomes its text.
"""

from __future__ import annotations

import re

import nh3

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
#: A link whose address was refused (javascript:, relative…) keeps its text and loses its tag.
_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\bhref=)[^>]*>(.*?)</a>", re.S)


def sanitize_html(html: str) -> str:
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}},
        link_rel="noopener noreferrer",
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )
    return _LINK_WITHOUT_HREF.sub(r"\1", cleaned).strip()
