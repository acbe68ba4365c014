"""Hits as HTML: the search library's character spans wrapped in <mark>, everything escaped."""
from __future__ import annotations

from markupsafe import Markup, escape


def mark(text: str, spans, lo: int = 0, hi: int | None = None) -> Markup:
    """text[lo:hi] with the given spans (offsets in `text`) wrapped in <mark>."""
    hi = len(text) if hi is None else hi
    out, pos = [], lo
    for a, b in spans:
        a, b = max(a, lo), min(b, hi)
        if a >= b:
            continue
        out.append(escape(text[pos:a]))
        out.append(Markup("<mark>%s</mark>") % text[a:b])
        pos = b
    out.append(escape(text[pos:hi]))
    return Markup("").join(out)


def snippet_html(snippet) -> Markup:
    return mark(snippet.text, snippet.spans)


def title_html(hit) -> Markup:
    return mark(hit.fields["title"], hit.title_spans)
