"""Judged queries: the `Query` type and the reader for the tab-separated query files.

A query file has one query per line and eight tab-separated columns (blank lines and lines starting
with `#` are skipped; no quoting, so a query may hold any character but a tab):

    qid  lang  category  query  relevant  top  must_not  note

- `qid`: unique name, used when failures are listed.
- `lang`: `ru` or `en`, the language the query is written in (the table is split by it).
- `category`: one of `CATEGORIES`.
- `query`: the text a user would type; `"..."` marks a phrase.
- `relevant`: space-separated record ids that must be among the first 10 hits; may be empty for a
  query that only has `must_not`.
- `top`: empty, or N: every relevant id must be among the first N hits (ranking matters).
- `must_not`: space-separated ids that must not be among the first 10 hits, or `*`: the query must
  find nothing at all.
- `note`: why the judgment holds (free text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ("name", "phrase", "inflection", "topic", "question", "hyphen", "number", "negative")
LANGUAGES = ("ru", "en")
NOTHING = "*"
DEPTH = 10
_ID = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
_COLUMNS = 8


class JudgmentError(ValueError):
    """A query line that cannot be read; `str()` is `file:line: what is wrong`."""


@dataclass(frozen=True)
class Query:
    """One judged query."""

    qid: str
    lang: str
    category: str
    text: str
    relevant: tuple[str, ...] = ()
    top: int = DEPTH
    must_not: tuple[str, ...] = ()
    expects_nothing: bool = False
    note: str = ""

    @property
    def judged_ids(self) -> tuple[str, ...]:
        return self.relevant + self.must_not


def parse_line(line: str, source: str = "<text>", number: int = 1) -> Query:
    """One query from one line of a query file."""
    columns = line.rstrip("\r\n").split("\t")
    if len(columns) != _COLUMNS:
        raise JudgmentError(f"{source}:{number}: expected {_COLUMNS} tab-separated columns, got {len(columns)}")
    qid, lang, category, text, relevant, top, must_not, note = (c.strip() for c in columns)
    relevant_ids = tuple(relevant.split())
    expects_nothing = must_not == NOTHING
    must_not_ids = () if expects_nothing else tuple(must_not.split())
    problem = (_query_problem(qid, lang, category, text)
               or _judgment_problem(relevant_ids, must_not_ids, expects_nothing)
               or _top_problem(top, relevant_ids))
    if problem:
        raise JudgmentError(f"{source}:{number}: {problem}")
    return Query(qid=qid, lang=lang, category=category, text=text, relevant=relevant_ids,
                 top=int(top) if top else DEPTH, must_not=must_not_ids, expects_nothing=expects_nothing,
                 note=note)


def _query_problem(qid: str, lang: str, category: str, text: str) -> str | None:
    """What is wrong with the columns that name and describe the query, if anything."""
    if not qid:
        return "empty qid"
    if lang not in LANGUAGES:
        return f"language {lang!r} is not one of {', '.join(LANGUAGES)}"
    if category not in CATEGORIES:
        return f"category {category!r} is not one of {', '.join(CATEGORIES)}"
    if not text:
        return "empty query"
    return None


def _judgment_problem(relevant_ids: tuple[str, ...], must_not_ids: tuple[str, ...],
                      expects_nothing: bool) -> str | None:
    """What is wrong with the relevant and must_not columns, if anything."""
    for record_id in relevant_ids + must_not_ids:
        if not _ID.match(record_id):
            return f"bad record id {record_id!r}"
    if set(relevant_ids) & set(must_not_ids):
        return "an id is both relevant and must_not"
    if len(set(relevant_ids)) != len(relevant_ids):
        return "a relevant id is listed twice"
    if expects_nothing and relevant_ids:
        return "must_not '*' (find nothing) with relevant ids"
    if not relevant_ids and not must_not_ids and not expects_nothing:
        return "no judgment: give relevant ids, must_not ids, or must_not '*'"
    return None


def _top_problem(top: str, relevant_ids: tuple[str, ...]) -> str | None:
    """What is wrong with the top column, if anything."""
    if not top:
        return None
    if not top.isdigit() or not 1 <= int(top) <= DEPTH:
        return f"top {top!r} is not a number from 1 to {DEPTH}"
    if not relevant_ids:
        return "top without relevant ids"
    return None


def load_queries(path: Path) -> list[Query]:
    """All queries of a query file; qids must be unique."""
    path = Path(path)
    queries: list[Query] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        query = parse_line(line, str(path), number)
        if query.qid in seen:
            raise JudgmentError(f"{path}:{number}: qid {query.qid!r} already on line {seen[query.qid]}")
        seen[query.qid] = number
        queries.append(query)
    return queries
