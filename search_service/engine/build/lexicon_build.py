"""The lexicon a generation carries: learned at each build from its bilingual records, or kept.

Written into the generation's folder (`LEXICON_FILE`) before it is published, beside Whoosh's
files (Whoosh's cleanup removes only its own). It names what it was learned from: a digest of the
bilingual records' ids and content hashes, so a build that changes none of them copies it instead
of running the aligner again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh import query

from search_service.text.lexicon import Lexicon, learn, passage_pairs

LEXICON_FILE = "lexicon.json"
_BILINGUAL = query.And([query.Term("langs", "ru"), query.Term("langs", "en")])


@dataclass(frozen=True)
class LexiconBuild:
    """What a build did for the lexicon: learned it again or kept the previous one, and its size."""

    kept: bool
    records: int  # bilingual records it comes from
    pairs: int  # passage pairs the aligner read
    entries: int  # words with translations, both directions
    seconds: float  # what this build spent on it (reading, aligning, or copying)

    def summary(self) -> str:
        """One clause for the build summary."""
        if self.kept:
            return f"lexicon kept ({self.entries} entries; no bilingual record changed)"
        return (f"lexicon learned from {self.pairs} passage pairs of {self.records} bilingual records: "
                f"{self.entries} entries, {self.seconds:.1f} s")


def read_lexicon(generation: Path) -> tuple[Lexicon, str] | None:
    """A generation's lexicon and the digest of the records it was learned from; None when it has none."""
    try:
        data = json.loads((generation / LEXICON_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):  # none, or one a killed build left half written: learned again
        return None
    return Lexicon.from_data(data["lexicon"]), data["source"]


def build_lexicon(build_dir: Path, previous: Path | None) -> LexiconBuild:
    """Give the generation being built in `build_dir` its lexicon: `previous`'s (the published
    generation's) when it was learned from the same bilingual records, else a new one."""
    started = time.perf_counter()
    ix = whoosh_index.open_dir(str(build_dir))
    with ix.searcher() as searcher:
        docnums = sorted(searcher.docs_for_query(_BILINGUAL))
        source = _digest(searcher, docnums)
        found = read_lexicon(previous) if previous is not None else None
        if found is not None and found[1] == source:
            if previous != build_dir:
                shutil.copyfile(previous / LEXICON_FILE, build_dir / LEXICON_FILE)
            return LexiconBuild(True, len(docnums), found[0].pairs, found[0].entries,
                                time.perf_counter() - started)
        lexicon = learn(_pairs(searcher, docnums))
    _write(build_dir, lexicon, source)
    return LexiconBuild(False, len(docnums), lexicon.pairs, lexicon.entries, time.perf_counter() - started)


def _digest(searcher, docnums: list[int]) -> str:
    """What a lexicon is learned from, in a few bytes: the bilingual records' ids and content hashes."""
    digest = hashlib.sha256()
    for key in sorted(f"{stored['id']}\t{stored.get('content_hash', '')}"
                      for stored in map(searcher.stored_fields, docnums)):
        digest.update(key.encode("utf-8") + b"\n")
    return digest.hexdigest()


def _pairs(searcher, docnums: list[int]) -> Iterator[tuple[list[str], list[str]]]:
    """The aligned passage pairs of the records, read one record at a time."""
    # Late: the reader loads lexicons from here, so importing it at the top would be circular.
    from search_service.engine.reader import stored_record

    for docnum in docnums:
        record, alignment = stored_record(searcher.stored_fields(docnum))
        yield from passage_pairs(record.texts, alignment)


def _write(build_dir: Path, lexicon: Lexicon, source: str) -> None:
    data = {"source": source, "lexicon": lexicon.to_data()}
    (build_dir / LEXICON_FILE).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                                          encoding="utf-8")
