"""A query's words searched in the other language too, through the generation's lexicon.

Each word of a query (a `CombinedTerm`) gains an alternative: its translations (`text.lexicon`) and,
for a name no dictionary holds, its spellings in the other script (`Vocabulary.other_script`), one
`TranslatedTerm` whose terms count by their probability (a probabilistic structured query). The
alternative matches only in records without text in the word's own language, so a record that
has that language scores exactly as before, and a record that lacks it competes in the same ranked
list on the score of the translated words: each weighted by its share of the word's translations,
under the idf of the language it is translated into (not of the whole archive, where a word
common in Russian records looks rare beside ten thousand English ones).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from whoosh import matching, query
from whoosh.searching import Searcher

from search_service.deadline import Deadline
from search_service.engine.querying import PROXIMITY_SLOP
from search_service.engine.reader import PublishedIndex
from search_service.engine.scoring import CombinedTerm
from search_service.engine.postings import PostingArrays
from search_service.engine.spans import Spans, term_spans
from search_service.engine.vocabulary import Vocabulary
from search_service.text.lexicon import Lexicon, Translations, term_language
from search_service.text.scripts import LANGUAGES

if TYPE_CHECKING:  # tiers runs the translated queries: importing it here would be circular
    from search_service.engine.tiers import EngineResult

# Translations searched per word: the lexicon's and the name spellings together.
MAX_ALTERNATIVES = 4
# A name spelled in the other script is its own translation.
NAME_PROBABILITY = 1.0
VIA_TRANSLATION = "translation"
OTHER_LANGUAGE = dict(zip(LANGUAGES, reversed(LANGUAGES)))  # two languages: each one's other
_LANGUAGES: WeakKeyDictionary = WeakKeyDictionary()  # segment reader -> language -> its records with text in it


class TranslatedTerm(CombinedTerm):
    """One query word's translations searched as one word: each term's frequency counts in
    proportion to its translation probability, under one idf, in the same fields as the word."""

    def __init__(self, translations: Translations, fields: tuple[tuple[str, float], ...], boost: float = 1.0,
                 source: str = "") -> None:
        super().__init__(tuple(text for text, _ in translations), fields, boost)
        self.probabilities = dict(translations)
        self.source = source  # the language of the word translated
        self.target = OTHER_LANGUAGE.get(source, "")

    def __eq__(self, other) -> bool:
        return super().__eq__(other) and isinstance(other, TranslatedTerm) and self.probabilities == other.probabilities

    def __hash__(self) -> int:
        return super().__hash__()

    def __repr__(self) -> str:
        return f"TranslatedTerm({tuple(self.probabilities.items())!r}, {self.fields!r}, source={self.source!r})"

    def share(self, text: str) -> float:
        return self.probabilities.get(text, 0.0)

    def collection_size(self, searcher) -> int:
        """The records with text in the language translated into: a word common in Russian records is
        common, however many English records there are beside them (in which it cannot occur)."""
        return searcher.doc_frequency("langs", self.target) or searcher.doc_count_all()

    def matcher(self, searcher, context=None) -> matching.Matcher:
        """The translations' matches in the records without text in the source language."""
        found = super().matcher(searcher, context)
        having = records_in(searcher.reader(), self.source)
        return matching.FilterMatcher(found, having, exclude=True) if having and found.is_active() else found


def records_in(reader, lang: str) -> frozenset[int]:
    """The records of a segment with text in `lang`, by their number in it (remembered per segment)."""
    by_lang = _LANGUAGES.setdefault(reader, {})
    if lang not in by_lang:
        having = reader.postings("langs", lang).all_ids() if reader.doc_frequency("langs", lang) else ()
        by_lang[lang] = frozenset(having)
    return by_lang[lang]


def crossing(index: PublishedIndex, translate: bool = True) -> "Crossing":
    """A search's translations through the served generation's lexicon and, when it is ready, its
    vocabulary; without `translate`, one that translates nothing.

    Not waited for: every search translates, and for the seconds after a publication while the new
    vocabulary is built, names are better left untranslated than every search held up. A server
    builds it before its first search."""
    if not translate:
        return Crossing(Lexicon(), None)
    return Crossing(index.lexicon(), index.vocabulary(Deadline.after(0)))


class Crossing:
    """One search's translations: the queries of its tiers translated, and what was translated."""

    def __init__(self, lexicon: Lexicon, vocabulary: Vocabulary | None) -> None:
        self.lexicon = lexicon
        self.vocabulary = vocabulary  # None while it is being built: names then stay untranslated
        self.chosen: dict[tuple[str, ...], TranslatedTerm | None] = {}  # a word's terms -> its alternative

    def translated(self, q: query.Query) -> query.Query:
        """`q` with each word also matching, in records without its language, through its translations."""
        def visit(node: query.Query) -> query.Query:
            if type(node) is not CombinedTerm:
                return node
            alternative = self._alternative(node)
            if alternative is None:
                return node
            return query.Or([node, alternative])
        return q.accept(visit)

    def _alternative(self, word: CombinedTerm) -> TranslatedTerm | None:
        if word.texts not in self.chosen:
            source = term_language(word.texts[0])
            found = self._translations(word.texts) if source else ()
            self.chosen[word.texts] = (TranslatedTerm(found, word.fields, word.boost, source)
                                       if found else None)
        return self.chosen[word.texts]

    def _translations(self, texts: tuple[str, ...]) -> Translations:
        """The best translations of a word's terms: the lexicon's, and a name's other-script spellings."""
        found: dict[str, float] = {}
        for text in texts:
            names = self.vocabulary.other_script(text) if self.vocabulary is not None else ()
            for other, probability in (*self.lexicon.translate(text), *((name, NAME_PROBABILITY) for name in names)):
                found[other] = max(found.get(other, 0.0), probability)
        best = sorted(found.items(), key=lambda item: -item[1])[:MAX_ALTERNATIVES]
        # Shares of the translations kept: the lexicon's probabilities leave room for unaligned
        # occurrences and dropped translations, which would scale every translated word down.
        total = sum(probability for _, probability in best)
        return tuple((other, round(probability / total, 3)) for other, probability in best)

    def near(self, phrase: query.Query | None) -> query.Query | None:
        """The proximity phrase of the words as typed (`querying.proximity_query`, an Or of one
        phrase per field) and of their translations in the text of the language translated into, so
        that a record found through translation gets the proximity boost as one in the query's
        language does. Only the translated words count there, in the order typed."""
        if phrase is None:
            return None
        by_target: dict[str, list[query.Query]] = {}
        for alternative in self.chosen.values():
            if alternative is not None:
                terms = [query.Term(alternative.target, text) for text in alternative.texts]
                by_target.setdefault(alternative.target, []).append(query.Or(terms) if len(terms) > 1 else terms[0])
        translated = [query.Sequence(words, slop=PROXIMITY_SLOP) for words in by_target.values() if len(words) > 1]
        if not translated:
            return phrase
        return query.Or([*(phrase.subqueries if isinstance(phrase, query.Or) else [phrase]), *translated])

    def queries(self) -> dict[str, str]:
        """The query as searched in each other language: each translated word's likeliest translation."""
        said: dict[str, list[str]] = {}
        for alternative in self.chosen.values():
            if alternative is not None:
                said.setdefault(alternative.target, []).append(alternative.texts[0])
        return {lang: " ".join(dict.fromkeys(texts)) for lang, texts in said.items()}

    def terms(self, lacking: set[str]) -> dict[str, frozenset[str]]:
        """Field -> the translated terms of the words whose language is in `lacking`."""
        terms: dict[str, set[str]] = {}
        for alternative in self.chosen.values():
            if alternative is not None and alternative.source in lacking:
                for field, text in alternative.terms():
                    terms.setdefault(field, set()).add(text)
        return {field: frozenset(texts) for field, texts in terms.items()}

    @property
    def translates(self) -> bool:
        """Whether some word of the search was given translations."""
        return any(self.chosen.values())

    def marked(self, searcher: Searcher, result: EngineResult, own: set[int], docnums: list[int],
               arrays: PostingArrays | None = None) -> EngineResult:
        """`result` saying what translation did: the translated queries, each hit found only through
        translation marked (its record number not in `own`, the hits the untranslated queries
        match), and the translated words' places in the texts of the hits that lack their language.
        `docnums`: the hits' record numbers, in their order."""
        if not self.translates:
            return result
        lacking = [frozenset(lang for lang in LANGUAGES if not hit.record.texts.get(lang)) for hit in result.hits]
        spans: dict[int, Spans] = {}
        for group in set(lacking) - {frozenset()}:  # one reading of the terms per set of languages lacked
            terms = self.terms(set(group))
            if terms:
                spans.update(term_spans(searcher, [d for d, lacks in zip(docnums, lacking) if lacks == group],
                                        terms, arrays))
        hits = [replace(hit, via=None if docnum in own else VIA_TRANSLATION, translated=spans.get(docnum, {}))
                for hit, docnum in zip(result.hits, docnums)]
        return replace(result, hits=hits, translations=self.queries())


def matched_among(searcher: Searcher, queries: list[query.Query], docnums: set[int]) -> set[int]:
    """The records among `docnums` that match any of `queries`: each query's matcher skipped to them
    (for the queries the posting arrays cannot answer: see `tiers._Runner.matching`)."""
    found: set[int] = set()
    for sub, offset in searcher.leaf_searchers():
        local = sorted(docnum - offset for docnum in docnums if offset <= docnum < offset + sub.doc_count_all())
        for q in queries if local else ():
            matcher = q.matcher(sub, sub.boolean_context())
            for docnum in local:
                if matcher.is_active() and matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
                if matcher.id() == docnum:
                    found.add(docnum + offset)
    return found
