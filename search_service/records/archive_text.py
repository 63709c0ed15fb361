"""Archive page text (a `.txt` record): date line, title, Russian and English text, summary, citation;
text without that shape is still a record, each paragraph's language told by its script."""

from __future__ import annotations

import re
from datetime import datetime

from search_service.dates import DateError, parse_date
from search_service.records.record import Record, RecordError, id_problem
from search_service.text.scripts import script_language

_PAGE_CHROME = {"skip to content"}
_RIGHTS_START = ("The History and Public Policy Program welcomes", "To enquire about this document")
_TRANSLATOR = re.compile(r"Translated by ([^.]+)\.")


def parse_archive_text(text: str, record_id: str, source: str) -> Record:
    """Parse archive page text (date line, title, Russian and English text, summary, citation).

    Text without that structure still becomes a record: title from the first line, the language of
    each paragraph from its script.
    """
    problem = id_problem(record_id)
    if problem:
        raise RecordError(source, 1, f"{problem} (the id is the file name)")
    paragraphs = [p for p in _paragraphs(text) if p.lower() not in _PAGE_CHROME]
    if not paragraphs:
        raise RecordError(source, 1, "no text: the file is empty")
    date = _parse_long_date(paragraphs[0])
    info = _index_of(paragraphs, "Document Information")
    if date is None or info is None or len(paragraphs) < 4:
        return _plain_text_record(paragraphs, record_id, source)
    title, body = paragraphs[1], paragraphs[2:info]
    summary = body.pop() if body and script_language(body[-1]) == "en" else ""
    citation = next((p for p in paragraphs[info + 1:] if not p.startswith(_RIGHTS_START)), "")
    translator = _TRANSLATOR.search(citation)
    metadata = {"translator": translator.group(1)} if translator else {}
    return _record_from_paragraphs(record_id, title, date, body, source, summary=summary, citation=citation,
                                   metadata=metadata)


def _plain_text_record(paragraphs: list[str], record_id: str, source: str) -> Record:
    title, _, first_rest = paragraphs[0].partition("\n")
    body = ([first_rest.strip()] if first_rest.strip() else []) + paragraphs[1:]
    return _record_from_paragraphs(record_id, title.strip(), None, body or [title.strip()], source)


def _record_from_paragraphs(record_id: str, title: str, date: str | None, body: list[str], source: str,
                            **extra) -> Record:
    by_language: dict[str, list[str]] = {}
    for paragraph in body:
        lang = script_language(paragraph)
        if lang:
            by_language.setdefault(lang, []).append(paragraph)
    if not by_language:
        raise RecordError(source, 1, "no text: no paragraph has Russian or English letters")
    texts = {lang: "\n\n".join(paras) for lang, paras in by_language.items()}
    return Record(id=record_id, title=title, date=date, texts=texts, source=f"{source}:1", **extra)


def _paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def _index_of(paragraphs: list[str], heading: str) -> int | None:
    return next((i for i, p in enumerate(paragraphs) if p.strip() == heading), None)


def _parse_long_date(line: str) -> str | None:
    """The page's date line as a record date: `August 27, 1950` as 1950-08-27, or any form dates.py reads
    (`1950`, `ca. 1950`, `1950-1952`); None when the line is not a date."""
    for fmt in ("%B %d, %Y", "%d %B %Y", "%B %Y"):
        try:
            parsed = datetime.strptime(line.strip(), fmt)
        except ValueError:
            continue
        return parsed.strftime("%Y-%m-%d" if "%d" in fmt else "%Y-%m")
    try:
        return line.strip() if parse_date(line) else None
    except DateError:
        return None
