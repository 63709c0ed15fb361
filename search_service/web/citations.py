"""A record as a reference for reference managers: RIS and BibTeX text.

Written by hand: both formats are a few tagged lines, and the libraries for them (rispy,
bibtexparser) would not do the part that matters here, keeping archive text from breaking the
format (line breaks in RIS, LaTeX specials in BibTeX).
"""

from __future__ import annotations

import re

from anyascii import anyascii

from search_service.records import Record

# AN and AV both hold the archive citation: AN is Zotero's "Loc. in Archive", AV the same field in
# Reference Manager's dialect of RIS; a manager that knows only one of them still gets it.
_RIS_ORDER = ("TY", "ID", "TI", "A4", "PY", "DA", "AB", "AN", "AV", "N1", "LA", "UR")
_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
                   "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
_LATEX_PATTERN = re.compile("|".join(re.escape(char) for char in _LATEX_SPECIALS))
_WORD = re.compile(r"[^\W_]+")  # letters and digits: `\_` and `\&` stay outside the braces


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def ris(record: Record, url: str) -> str:
    """The record as one RIS reference of type MANSCPT (reference managers import it as a manuscript,
    which has fields for an archive and a translator, where GEN becomes a journal article); a date
    range or an approximate date is given by its start, as written in the note."""
    date = record.when.start if record.when else ""
    citation = _one_line(record.citation)
    fields = {
        "TY": "MANSCPT",
        "ID": record.id,
        "TI": _one_line(record.title) or record.id,
        "A4": _translator(record),
        "PY": date[:4],
        # RIS dates are YYYY/MM/DD/ with empty parts for what is unknown.
        "DA": "/".join((date.split("-") + ["", ""])[:3]) + "/" if date else "",
        "AB": _one_line(record.summary),
        "AN": citation,
        "AV": citation,
        "N1": _date_note(record),
        "LA": ", ".join(sorted(record.texts)),
        "UR": url,
    }
    lines = [f"{tag}  - {fields[tag]}" for tag in _RIS_ORDER if fields[tag]]
    return "\r\n".join(lines + ["ER  - ", ""])


def bibtex_key(record_id: str) -> str:
    """A BibTeX key for a record id: in Latin letters (BibTeX reads keys as ASCII), digits and `:._-`."""
    return re.sub(r"[^A-Za-z0-9:._-]", "-", anyascii(record_id).replace("'", ""))  # `'`: a soft sign


def bibtex(record: Record, url: str, key: str | None = None) -> str:
    """The record as one BibTeX @misc entry, keyed `key` (by default `bibtex_key` of its id).
    A date range is biblatex's `start/end`; an approximate date is said in the note. The title's
    words with capitals are braced, so that styles which lowercase titles keep names as written."""
    when = record.when
    date = (f"{when.start}/{when.end}" if when.is_range else when.start) if when else ""
    note = "; ".join(filter(None, [_one_line(record.citation), _date_note(record)]))
    fields = [("title", _protect_capitals(_latex(_one_line(record.title) or record.id))),
              ("translator", _latex(_translator(record))), ("year", date[:4]), ("date", _latex(date)),
              ("note", _latex(note)), ("abstract", _latex(_one_line(record.summary))),
              ("language", ", ".join(sorted(record.texts))), ("url", url)]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key or bibtex_key(record.id)},\n{body}\n}}\n"


def _translator(record: Record) -> str:
    return _one_line(str(record.metadata.get("translator") or ""))


def _date_note(record: Record) -> str:
    """`Dated ca. 1950` for a date a citation's date fields cannot carry whole (approximate, or a range)."""
    when = record.when
    return f"Dated {record.date}" if when and (when.approximate or when.is_range) else ""


def _latex(text: str) -> str:
    return _LATEX_PATTERN.sub(lambda match: _LATEX_SPECIALS[match.group()], text)


def _protect_capitals(text: str) -> str:
    """Each word with a capital letter in braces: `{Letter} from {Filipov} [{Stalin}]`."""
    return _WORD.sub(lambda match: f"{{{match.group()}}}" if _has_capital(match.group()) else match.group(), text)


def _has_capital(word: str) -> bool:
    return any(char.isupper() for char in word)
