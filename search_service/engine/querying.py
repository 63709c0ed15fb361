"""From the text a user typed to a Whoosh query: the plugins we allow and the ones we do not."""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from itertools import islice

from whoosh import qparser, query
from whoosh.qparser import syntax
from whoosh.qparser.plugins import PhrasePlugin

from search_service.errors import QueryError
from search_service.deadline import Deadline
from search_service.engine.facet_query import FacetValuePlugin, facets_required
from search_service.engine.phrases import Phrase
from search_service.text.analysis import words
from search_service.text.morphology import is_stop_term
from search_service.engine.schema import FIELD_BOOSTS, TEXT_FIELDS
from search_service.engine.scoring import CombinedTerm

MAX_QUERY_LENGTH = 1000
# Every word becomes several terms in five fields, and a proximity phrase: past a long sentence,
# more words only cost time.
MAX_QUERY_WORDS = 50
# A prefix becomes one term per index word it starts; `а*` would be thousands of them.
MIN_PREFIX_CHARS = 2
MAX_EXPANDED_TERMS = 1000
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
# Only the text fields may be named (`title:`); other names (`record:`, `id:`) stay plain words.
_FIELD_NAME = rf"(?<!\w)(?P<text>{'|'.join(TEXT_FIELDS)}):"


class _AlternativesPhrasePlugin(PhrasePlugin):
    """Phrases whose words may have several terms at one position (lemmas, hyphen parts).

    Whoosh's own phrase node lists every token as the next word, which breaks as soon as a word has
    two lemmas; here each position becomes an Or of its alternatives inside a `Phrase`.
    """

    class PhraseNode(PhrasePlugin.PhraseNode):
        def query(self, parser):
            fieldname = self.fieldname or parser.fieldname
            field = parser.schema[fieldname]
            by_position: dict[int, list[str]] = defaultdict(list)
            for token in field.tokenize(self.text, mode="phrase", positions=True):
                if token.text not in by_position[token.pos]:
                    by_position[token.pos].append(token.text)
            if not by_position:
                return query.NullQuery
            steps = [query.Term(fieldname, texts[0]) if len(texts) == 1
                     else query.Or([query.Term(fieldname, t) for t in texts])
                     for _, texts in sorted(by_position.items())]
            if len(steps) == 1:
                q = steps[0]
            else:
                q = Phrase(steps, slop=self.slop, boost=self.boost)
            return syntax.attach(q, self)

    class PhraseTagger(PhrasePlugin.PhraseTagger):
        def create(self, parser, match):
            slop = match.group("slop")
            return _AlternativesPhrasePlugin.PhraseNode(match.group("text"), match.start("text"),
                                                        int(slop) if slop else 1)

    def taggers(self, parser):
        return [(self.PhraseTagger(self.expr), 0)]


def make_parser(schema, fields: tuple[str, ...], all_words: bool, plain: bool = False,
                facets: tuple[str, ...] = ()) -> qparser.QueryParser:
    """A parser over `fields` that requires every word (`all_words`) or ranks records by the summed
    scores of the words they have.

    No coordination bonus for the any-word query: Whoosh counts the matching terms of each index
    segment, so its bonus, and the ranking, moved with the way a build happened to split the index.
    `plain` parses words only, with no operators, fields, phrases or prefixes. `facets`: the facet
    names whose values may be asked for (`type:Письмо`).
    """
    group = qparser.AndGroup if all_words else qparser.OrGroup
    parser = qparser.MultifieldParser(list(fields), schema, fieldboosts={f: FIELD_BOOSTS[f] for f in fields},
                                      group=group, plugins=[] if plain else None)
    if plain:
        return parser
    # `?` ends questions people type; `'` is an apostrophe in English text; `^`, ranges and `*:*`
    # are power-user syntax nobody asked for. Only `prefix*` stays as a wildcard.
    for plugin in (qparser.WildcardPlugin, qparser.SingleQuotePlugin, qparser.RangePlugin,
                   qparser.BoostPlugin, qparser.EveryPlugin, qparser.PhrasePlugin, qparser.FieldsPlugin):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(qparser.FieldsPlugin(expr=_FIELD_NAME))
    parser.add_plugin(qparser.PrefixPlugin())
    parser.add_plugin(_AlternativesPhrasePlugin())
    if facets:
        parser.add_plugin(FacetValuePlugin(facets))
    return parser


def parse(schema, text: str, fields: tuple[str, ...], all_words: bool, deadline: Deadline | None = None,
          facets: tuple[str, ...] = ()) -> query.Query:
    """Parse user text; raise QueryError when there is nothing to search for. Its phrases stop
    checking word positions at `deadline`; values of `facets` may be asked for (`type:Письмо`)."""
    if not text or not text.strip():
        raise QueryError("the query is empty: type one or more words")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(text)} characters long; the limit is {MAX_QUERY_LENGTH}")
    count = sum(1 for word in words(text) if word.surface not in OPERATORS)
    if count > MAX_QUERY_WORDS:
        raise QueryError(f"the query has {count} words; the limit is {MAX_QUERY_WORDS}")
    try:
        q = _parse_words(make_parser(schema, fields, all_words, facets=facets), text)
    except Exception:
        # Whoosh's parser fails on some operator sequences (`NOT NOT a` raises IndexError) and on
        # parentheses nested hundreds deep (RecursionError); what the user typed is then best read as
        # plain words.
        q = _parse_words(make_parser(schema, fields, all_words, plain=True), text)
    if q is query.NullQuery or not list(positive_leaves(q)):
        raise QueryError("the query has no words to search for (letters or digits)")
    for leaf in q.leaves():
        if isinstance(leaf, query.Prefix) and len(leaf.text) < MIN_PREFIX_CHARS:
            raise QueryError(f"`{leaf.text}*` is too short: type at least {MIN_PREFIX_CHARS} letters before *")
    _set_deadline(q, deadline)
    return optional_stop_words(q) if all_words else facets_required(without_stop_words(q))


def _set_deadline(q: query.Query, deadline: Deadline | None) -> None:
    if isinstance(q, Phrase):
        q.deadline = deadline
    for child in q.children():
        _set_deadline(child, deadline)


def _parse_words(parser: qparser.QueryParser, text: str) -> query.Query:
    # Words are combined before normalizing, which flattens an any-word query into one Or of terms.
    return combine_fields(parser.parse(text, normalize=False)).normalize()


def combine_fields(q: query.Query) -> query.Query:
    """Each word the parser spread over several fields becomes one `CombinedTerm` (true BM25F): its
    lemma alternatives and its frequencies in title, summary and texts saturate together under one
    idf, so a word counts once, however many fields and lemmas it matches in. Phrases, prefixes and
    words in one named field (`title:x`) stay as they are."""
    if isinstance(q, query.Sequence) or q.is_leaf():
        return q  # a term, or a phrase (its words must stand together in one field)
    word = _word_in_fields(q)
    if word is not None:
        texts, weights = word
        return CombinedTerm(texts, weights, boost=q.boost)
    if isinstance(q, query.CompoundQuery):
        # Rebuilt on a copy: apply() drops an any-word Or's coordination scale.
        combined = copy.copy(q)
        combined.subqueries = []
        for child in q.subqueries:
            combined.subqueries.append(combine_fields(child))
        return combined
    return q.apply(combine_fields)


def _word_in_fields(q: query.Query) -> tuple[tuple[str, ...], tuple[tuple[str, float], ...]] | None:
    """The texts and (field, weight) pairs of the parser's node for one word in several fields (an Or
    over fields of a Term, or of an Or of its lemma alternatives, in that field), else None."""
    if type(q) is not query.Or:
        return None
    texts: dict[str, None] = {}
    weights: dict[str, float] = {}
    for child in q.subqueries:
        terms = [child] if isinstance(child, query.Term) else child.subqueries if type(child) is query.Or else []
        if not terms or not all(isinstance(term, query.Term) for term in terms):
            return None
        names = {term.fieldname for term in terms}
        if len(names) != 1 or not names <= FIELD_BOOSTS.keys() or names & weights.keys():
            return None
        weights[terms[0].fieldname] = terms[0].boost  # the field's weight, on each of its terms
        texts.update(dict.fromkeys(term.text for term in terms))
    return (tuple(texts), tuple(weights.items())) if len(weights) > 1 else None


def optional_stop_words(q: query.Query) -> query.Query:
    """Every word required except function words (`why`, `the`, `почему`, `из`): those only add to
    the score. A question typed as a sentence then finds the records about its subject, which rarely
    repeat its `why did`. Phrases and operators are left as typed; all-stop-word queries stay as typed."""
    if not isinstance(q, query.And):
        return q
    required, optional = [], []
    for child in q.subqueries:
        (optional if _is_stop_word(child) else required).append(child)
    if not optional or not required:
        return q
    return query.AndMaybe(required[0] if len(required) == 1 else query.And(required), query.Or(optional))


def without_stop_words(q: query.Query) -> query.Query:
    """The most-words query counts content words only: a record that shares `when do to the` with a
    question is not "most words", and those common words, summed, outscored the one rare word
    (`pub`) that the answer shares. All-stop-word queries stay as typed."""
    if not isinstance(q, query.Or):
        return q
    content = [child for child in q.subqueries if not _is_stop_word(child)]
    if not content or len(content) == len(q.subqueries):
        return q
    return query.Or(content, boost=q.boost, scale=q.scale)


def _is_stop_word(q: query.Query) -> bool:
    """A plain word (its terms in one or more fields) whose every term is a function word."""
    if isinstance(q, CombinedTerm):
        return all(is_stop_term(text) for text in q.texts)
    leaves = [q] if isinstance(q, query.Term) else list(q.children()) if isinstance(q, query.Or) else []
    return bool(leaves) and all(isinstance(leaf, query.Term) and is_stop_term(leaf.text) for leaf in leaves)


def check_expansion(q: query.Query, reader) -> None:
    """Refuse a query whose prefixes stand for more than MAX_EXPANDED_TERMS index words in all."""
    left = MAX_EXPANDED_TERMS
    for leaf in q.leaves():
        if isinstance(leaf, query.Prefix):
            left -= sum(1 for _ in islice(leaf.expanded_terms(reader), left + 1))
            if left < 0:
                raise QueryError(f"`{leaf.text}*` matches too many different words (the limit is "
                                 f"{MAX_EXPANDED_TERMS} for a query): type more letters before *")


# The largest gap between neighbouring query words that still counts as close: up to two other words.
PROXIMITY_SLOP = 3
_SYNTAX = re.compile(r'["*:()]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b')


def is_plain(text: str) -> bool:
    """True for words as typed, without phrases, prefixes, fields or operators."""
    return not _SYNTAX.search(text)


def proximity_query(schema, text: str, fields: tuple[str, ...]) -> query.Query | None:
    """For plain multi-word queries, the phrase that finds the words close together, in order
    (scored by `proximity.rescore`); None for one word or a query with syntax."""
    if not is_plain(text):
        return None
    surface = [word.surface for word in words(text)]
    if len(surface) < 2:
        return None
    return make_parser(schema, fields, all_words=True).parse(f'"{" ".join(surface)}"~{PROXIMITY_SLOP}')


def is_word_sum(q: query.Query) -> bool:
    """True when a record's score for `q` is the sum of its words' `CombinedTerm` scores: only
    words, joined by And, Or and AndMaybe with no boost (a filter or exclusion around them scores nothing)."""
    if isinstance(q, CombinedTerm):
        return True
    if isinstance(q, (query.Require, query.AndNot)):
        return is_word_sum(q.a)
    if isinstance(q, (query.And, query.Or, query.AndMaybe)) and q.boost == 1.0 and not getattr(q, "scale", None):
        return all(is_word_sum(child) for child in q.children())
    return False


def has_negation(q: query.Query) -> bool:
    """True when the query excludes something (NOT), which relaxing to any-word must not drop."""
    if isinstance(q, (query.Not, query.AndNot)):
        return True
    return any(has_negation(child) for child in q.children())


def positive_leaves(q: query.Query):
    """Leaf queries a match should be highlighted for: everything not under a NOT."""
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from positive_leaves(q.a)
        return
    children = list(q.children())
    if not children:
        yield q
    for child in children:
        yield from positive_leaves(child)
