"""A record as a reference for reference managers: RIS and BibTeX text.

Written by hand: both formats are a few tagged lines, and the libraries for them (rispy,
bibtexparser) would not do the part that matters here, keeping archive text from breaking the
format (line breaks in RIS, LaTeX specials in BibTeX).
"""

from __future__ import annotations

import re

from search_service.records import Record

_RIS_ORDER = ("TY", "ID", "TI", "PY", "DA", "AB", "N1", "LA", "UR")
_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
                   "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
_LATEX_PATTERN = re.compile("|".join(re.escape(char) for char in _LATEX_SPECIALS))


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def ris(record: Record, url: str) -> str:
    """The record as one RIS reference (type GEN: archival records are of many kinds); a date range or
    an approximate date is given by its start, as written in the note."""
    date = record.when.start if record.when else ""
    fields = {
        "TY": "GEN",
        "ID": record.id,
        "TI": _one_line(record.title) or record.id,
        "PY": date[:4],
        # RIS dates are YYYY/MM/DD/ with empty parts for what is unknown.
        "DA": "/".join((date.split("-") + ["", ""])[:3]) + "/" if date else "",
        "AB": _one_line(record.summary),
        "N1": "; ".join(filter(None, [_one_line(record.citation), _date_note(record)])),
        "LA": ", ".join(sorted(record.texts)),
        "UR": url,
    }
    lines = [f"{tag}  - {fields[tag]}" for tag in _RIS_ORDER if fields[tag]]
    return "\r\n".join(lines + ["ER  - ", ""])


def bibtex(record: Record, url: str) -> str:
    """The record as one BibTeX @misc entry; the key is the record id with BibTeX-safe characters.
    A date range is biblatex's `start/end`; an approximate date is said in the note."""
    when = record.when
    date = (f"{when.start}/{when.end}" if when.is_range else when.start) if when else ""
    key = re.sub(r"[^A-Za-z0-9:._-]", "-", record.id)
    note = "; ".join(filter(None, [_one_line(record.citation), _date_note(record)]))
    fields = [("title", _one_line(record.title) or record.id), ("year", date[:4]),
              ("date", date), ("note", note),
              ("abstract", _one_line(record.summary)), ("language", ", ".join(sorted(record.texts))),
              ("url", url)]
    body = ",\n".join(f"  {name} = {{{_latex(value) if name != 'url' else value}}}"
                      for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}\n"


def _date_note(record: Record) -> str:
    """`Dated ca. 1950` for a date a citation's date fields cannot carry whole (approximate, or a range)."""
    when = record.when
    return f"Dated {record.date}" if when and (when.approximate or when.is_range) else ""


def _latex(text: str) -> str:
    return _LATEX_PATTERN.sub(lambda match: _LATEX_SPECIALS[match.group()], text)
