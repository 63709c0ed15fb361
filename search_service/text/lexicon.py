"""A Russian-English lexicon learned from the archive's own translations.

Every bilingual record is aligned passage by passage when it is indexed (`alignment`); a word
aligner (eflomal, a Bayesian HMM with fertility, sampled) run over those passage pairs, in the
forms the index holds (Russian lemmas, English stems), links each word to the word that translates
it. Counting the links gives, for each word, the share of its occurrences linked to each word of the
other language: its translation probabilities. Plain Python and eflomal's binary: no Whoosh.
"""

from __future__ import annotations

import math
import re
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from search_service.text.alignment import Alignment
from search_service.text.analysis import analyze_word, words
from search_service.text.morphology import is_stop_term
from search_service.text.scripts import LANGUAGES, has_cyrillic, has_latin

# Translations kept per word, and the least probability a kept one needs: past the first few,
# a word's links are the aligner's noise.
MAX_TRANSLATIONS = 3
MIN_PROBABILITY = 0.1
# Passage pairs the aligner reads at most, and the most words a passage may have to be one of them:
# the aligner holds its whole input in memory, and long merged passages align poorly.
MAX_PAIRS = 200_000
MAX_PASSAGE_WORDS = 300
# Sampling iterations of eflomal's last model (HMM with fertility; its first two, IBM1 and HMM, get a
# quarter as many each): fewer the more pairs there are, since each iteration then sees more of
# every word, and at most MAX_ITERATIONS, so that the few pairs of a small archive take a second,
# not the ten eflomal's own schedule would give them.
ITERATION_BUDGET = 5000
MAX_ITERATIONS = 128
_NUMBER = re.compile(r"\d")

Translations = tuple[tuple[str, float], ...]  # (term of the other language, probability), best first


@dataclass(frozen=True)
class Lexicon:
    """Each language's index terms -> their translations into the other language, with probabilities."""

    translations: dict[str, dict[str, Translations]] = field(default_factory=lambda: {"ru": {}, "en": {}})
    pairs: int = 0  # passage pairs it was learned from
    seconds: float = 0.0  # what learning it took

    @property
    def entries(self) -> int:
        """Words with at least one translation, both directions."""
        return sum(len(table) for table in self.translations.values())

    def translate(self, term: str) -> Translations:
        """The translations of one index term (a Russian lemma or an English stem); () when it has none."""
        lang = term_language(term)
        return self.translations[lang].get(term, ()) if lang else ()

    def to_data(self) -> dict:
        """As plain data for JSON (`from_data` reads it back)."""
        return {"pairs": self.pairs, "seconds": round(self.seconds, 2), "translations": self.translations}

    @classmethod
    def from_data(cls, data: dict) -> "Lexicon":
        return cls({lang: {term: tuple((other, p) for other, p in found) for term, found in table.items()}
                    for lang, table in data["translations"].items()},
                   data["pairs"], data["seconds"])


def term_language(term: str) -> str | None:
    """The language of an index term, told by its script (Russian lemmas are Cyrillic, English stems
    Latin); None for a number."""
    return "ru" if has_cyrillic(term) else "en" if has_latin(term) else None


def passage_words(text: str) -> list[str]:
    """A passage as the aligner reads it: each word's first index term (its best lemma, or its stem)."""
    return [analyze_word(word.surface).terms[0][0] for word in words(text)]


def passage_pairs(texts: Mapping[str, str], alignment: Alignment) -> Iterator[tuple[list[str], list[str]]]:
    """A bilingual record's aligned passages, Russian and English, in the aligner's words."""
    for bead in alignment.beads:
        if not bead.ru or not bead.en:
            continue
        ru = " ".join(texts["ru"][slice(*alignment.spans["ru"][index])] for index in bead.ru)
        en = " ".join(texts["en"][slice(*alignment.spans["en"][index])] for index in bead.en)
        yield passage_words(ru), passage_words(en)


def learn(pairs: Iterable[tuple[list[str], list[str]]]) -> Lexicon:
    """The lexicon of passage pairs (Russian words, English words), streamed to the aligner through
    files; at most MAX_PAIRS of them, each of at most MAX_PASSAGE_WORDS words a side."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lexicon-") as folder:
        work = Path(folder)
        count = _write_pairs(pairs, work / "ru", work / "en")
        if not count:
            return Lexicon(seconds=time.perf_counter() - started)
        _align(work, count)
        with open(work / "ru", encoding="utf-8") as ru, open(work / "en", encoding="utf-8") as en, \
                open(work / "fwd", encoding="utf-8") as fwd, open(work / "rev", encoding="utf-8") as rev:
            translations = _probabilities(zip(ru, en, fwd, rev))
    return Lexicon(translations, count, time.perf_counter() - started)


def _write_pairs(pairs: Iterable[tuple[list[str], list[str]]], ru_path: Path, en_path: Path) -> int:
    """Write the usable pairs a line each (words split by spaces) and count them."""
    count = 0
    with open(ru_path, "w", encoding="utf-8") as ru, open(en_path, "w", encoding="utf-8") as en:
        for ru_words, en_words in pairs:
            if not ru_words or not en_words or max(len(ru_words), len(en_words)) > MAX_PASSAGE_WORDS:
                continue
            ru.write(" ".join(ru_words) + "\n")
            en.write(" ".join(en_words) + "\n")
            count += 1
            if count == MAX_PAIRS:
                break
    return count


def iterations(pairs: int) -> tuple[int, int, int]:
    """eflomal's iterations of its three models for `pairs` passage pairs (see ITERATION_BUDGET)."""
    last = max(8, min(MAX_ITERATIONS, round(ITERATION_BUDGET / math.sqrt(pairs))))
    return last // 4, last // 4, last


def _align(work: Path, pairs: int) -> None:
    """Run eflomal over `work`/ru and `work`/en, writing the links of both directions to fwd and rev."""
    from eflomal import Aligner  # late: loading it is not needed to serve an index

    with open(work / "ru", encoding="utf-8") as ru, open(work / "en", encoding="utf-8") as en:
        Aligner(n_iterations=iterations(pairs)).align(ru, en, links_filename_fwd=str(work / "fwd"),
                                                      links_filename_rev=str(work / "rev"))


def _probabilities(lines: Iterable[tuple[str, str, str, str]]) -> dict[str, dict[str, Translations]]:
    """Translation probabilities from the aligned lines (Russian, English, forward links, reverse links).

    The reverse links give each Russian word at most one English word and the forward links each
    English word at most one Russian word, so a word's links over its occurrences (unlinked ones
    included) are the probabilities of its translations: p(en | ru) from the reverse links, p(ru | en)
    from the forward ones.
    """
    occurrences = {"ru": Counter(), "en": Counter()}
    links = {"ru": defaultdict(Counter), "en": defaultdict(Counter)}
    for ru_line, en_line, fwd_line, rev_line in lines:
        ru, en = ru_line.split(), en_line.split()
        occurrences["ru"].update(ru)
        occurrences["en"].update(en)
        for i, j in _links(rev_line):
            links["ru"][ru[i]][en[j]] += 1
        for i, j in _links(fwd_line):
            links["en"][en[j]][ru[i]] += 1
    return {lang: _best(links[lang], occurrences[lang]) for lang in LANGUAGES}


def _links(line: str) -> Iterator[tuple[int, int]]:
    for link in line.split():
        i, j = link.split("-")
        yield int(i), int(j)


def _best(links: Mapping[str, Counter], occurrences: Counter) -> dict[str, Translations]:
    """Each content word's likeliest translations (content words, MAX_TRANSLATIONS at most, each
    at least MIN_PROBABILITY); function words and numbers are searched as they are."""
    table = {}
    for term, linked in links.items():
        if not _translatable(term):
            continue
        found = [(other, round(n / occurrences[term], 3)) for other, n in linked.most_common()
                 if _translatable(other) and n / occurrences[term] >= MIN_PROBABILITY]
        if found:
            table[term] = tuple(found[:MAX_TRANSLATIONS])
    return table


def _translatable(term: str) -> bool:
    return not _NUMBER.search(term) and not is_stop_term(term)
