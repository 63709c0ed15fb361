"""Facet values in a query: `collection:frus1918Russiav03`, `type:Письмо`, `collection:"a b"`.

Each is a filter on the record's facet terms (`facets.facet_term`), case aside, that adds nothing
to the score; in a query relaxed to any of its words it stays required.
"""

from __future__ import annotations

import re

from whoosh import query
from whoosh.qparser import TaggingPlugin, syntax

from search_service.engine.facets import facet_term

FIELD = "facet_values"  # the schema field of a record's `key:value` facet terms


class FacetValuePlugin(TaggingPlugin):
    """Parses `<facet>:value` and `<facet>:"a value"` for the facets named."""

    priority = -1  # before fields and phrases take the colon and the quotes

    def __init__(self, names: tuple[str, ...]) -> None:
        alternatives = "|".join(re.escape(name) for name in names)
        super().__init__(rf'(?<![\w:])(?P<name>{alternatives}):(?:"(?P<quoted>[^"]*)"|(?P<value>[^\s()"]+))')

    def create(self, parser, match) -> syntax.SyntaxNode:
        value = match.group("quoted") if match.group("quoted") is not None else match.group("value")
        return FacetValueNode(facet_term(match.group("name"), value))


class FacetValueNode(syntax.SyntaxNode):
    def __init__(self, term: str) -> None:
        self.term = term

    def r(self) -> str:
        return f"FacetValue {self.term!r}"

    def query(self, parser) -> query.Query:
        return syntax.attach(facet_filter(self.term), self)


def facet_filter(term: str) -> query.Query:
    return query.ConstantScoreQuery(query.Term(FIELD, term), 0.0)


def is_facet_filter(q: query.Query) -> bool:
    return isinstance(q, query.ConstantScoreQuery) and isinstance(q.child, query.Term) and q.child.fieldname == FIELD


def facets_required(q: query.Query) -> query.Query:
    """An any-word query with its facet values required: `type:Письмо Ленин Троцкий` relaxed is
    letters with either name, not every letter."""
    if not isinstance(q, query.Or) or not any(is_facet_filter(child) for child in q.subqueries):
        return q
    facets = [child for child in q.subqueries if is_facet_filter(child)]
    words = [child for child in q.subqueries if not is_facet_filter(child)]
    required = facets[0] if len(facets) == 1 else query.And(facets)
    if not words:
        return required
    return query.Require(words[0] if len(words) == 1 else query.Or(words, boost=q.boost, scale=q.scale), required)
