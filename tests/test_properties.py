"""Property tests (Hypothesis): any query text gives a result of a sound shape or a QueryError, never
another exception; any bytes in a record file, of any kind and in any encoding, give Records or
RecordErrors that name the file and line."""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_service.errors import QueryError
from search_service.records import Record, RecordError, id_problem, read_records
from search_service.service.search import parse_options, search

# Pieces of query syntax and awkward characters, so that generated queries are mostly near-misses of
# real syntax rather than random letters.
SYNTAX = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "(", ")", '"', "'", "*", "?", ":", "~", "~2", "^", "^3",
          "[", "]", "{", "}", "TO", "-", "+", "\\", "/", "title:", "ru:", "en:", "summary:", "citation:", "id:",
          "record:", "year:", "*:*", "\x00", "\t", "\n", "\u202e", "\u200d", "\ufeff", "\ufffd", "😀", "🇷🇺",
          "<script>", "&amp;", "совет", "Совете", "безопасн*", "Готвальд", "council", "withdraw*", "а*", "со*"]
query_texts = st.one_of(
    st.text(max_size=1100),
    st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=8)), max_size=60).map(" ".join),
    st.lists(st.sampled_from(SYNTAX), max_size=80).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=query_texts, lang=st.sampled_from([None, "ru", "en"]), page=st.integers(1, 3))
def test_any_query_text_gives_a_result_or_a_query_error(engine, text, lang, page):
    try:
        options = parse_options(text, str(page), None, lang)
        result = search(engine, options)
    except QueryError as error:
        assert str(error)
        return
    assert (result.page, result.per_page) == (page, options.per_page)
    assert len(result.hits) <= options.per_page
    assert result.total >= len(result.hits) + (page - 1) * options.per_page or not result.hits
    assert len({hit.id for hit in result.hits}) == len(result.hits)
    languages = {lang} if lang else {"ru", "en"}
    assert all(set(hit.passages) <= set(hit.snippets) <= languages for hit in result.hits)


@settings(max_examples=200, deadline=None)
@given(query=st.one_of(st.none(), st.text(max_size=30)), page=st.one_of(st.none(), st.text(max_size=12)),
       per_page=st.one_of(st.none(), st.text(string.digits + "-+. x", max_size=6)),
       lang=st.one_of(st.none(), st.text(max_size=4), st.sampled_from(["ru", "en", ""])),
       years=st.lists(st.one_of(st.none(), st.text(string.digits + " -", max_size=5)), min_size=2, max_size=2))
def test_any_parameters_give_options_or_a_query_error(query, page, per_page, lang, years):
    try:
        options = parse_options(query, page, per_page, lang, *years)
    except QueryError as error:
        assert str(error).split(" ")[0] in {"page", "per_page", "lang", "year_from", "year_to"}
    else:
        assert 1 <= options.page <= 1000 and 1 <= options.per_page <= 50 and options.lang in {None, "ru", "en"}
        assert options.year_from is None or options.year_to is None or options.year_from <= options.year_to


# Records ----------------------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12)
record_like = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.text(min_size=1, max_size=210), st.sampled_from(["RGASPI/558/11/62", "ф.17 оп.3 д.1083"]),
                    json_values),
    "title": st.one_of(st.text(max_size=30), json_values),
    "date": st.one_of(st.sampled_from(["1950", "1950-08", "1950-08-27", "1950-02-30", "0000", "19500",
                                       "1950-13", "ca. 1950", "1950-1952", "1950-08/1950-09", "1952-1950", None]),
                      st.integers(), json_values),
    "texts": st.one_of(st.dictionaries(st.sampled_from(["ru", "en", "de", ""]),
                                       st.one_of(st.text(max_size=40), json_values), max_size=3), json_values),
    "summary": json_values, "citation": json_values, "translator": json_values,
})
json_lines = st.lists(st.one_of(record_like.map(lambda r: json.dumps(r, ensure_ascii=False)),
                                record_like.map(json.dumps), st.text(max_size=40)), max_size=5)
# A spreadsheet's rows: a header of record columns and others, then cells of text and dates.
csv_cells = st.one_of(st.text(max_size=15), st.sampled_from(["ca. 1950", "1950-1952", "1951-02-30", '"', '""', ""]))
csv_text = st.tuples(st.lists(st.sampled_from(["id", "ID", "title", "date", "citation", "ru", "en", "fond", ""]),
                              max_size=7),
                     st.lists(st.lists(csv_cells, max_size=8), max_size=4), st.sampled_from([",", ";", "\t"])).map(
    lambda parts: "\n".join(parts[2].join(row) for row in [parts[0], *parts[1]]))
archive_text = st.one_of(json_lines.map("\n".join), csv_text, st.text(max_size=600))
record_bytes = st.one_of(
    st.binary(max_size=600),
    archive_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    # the encodings archives hold, with and without a BOM
    st.tuples(archive_text, st.sampled_from(["cp1251", "koi8_r", "cp1252", "utf-16", "utf-16-be", "utf-8-sig"])).map(
        lambda pair: pair[0].encode(pair[1], "replace")),
    st.sampled_from([b"[" * 100_000, b'{"a":' * 50_000, b'{"id": "x", "texts": {"en": "\\ud800"}}',
                     b"\xef\xbb\xbf" + "August 27, 1950\n\nTitle\n\nText\n\nDocument Information".encode()]),
)


@settings(max_examples=300, deadline=None)
@given(raw=record_bytes, suffix=st.sampled_from([".txt", ".json", ".jsonl", ".csv", ".TXT", ".Json"]))
def test_any_bytes_give_records_or_errors_naming_file_and_line(raw, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"record{suffix}"
        path.write_bytes(raw)
        result = read_records([path])
    lines = raw.count(b"\n") + 1
    for error in result.errors:
        assert isinstance(error, RecordError)
        assert str(error).startswith(f"{path}:{error.line}: ") and error.reason
        assert 1 <= error.line <= lines
    for record in result.records:
        assert isinstance(record, Record)
        assert id_problem(record.id) is None
        assert record.when is None or record.when.first_year <= record.when.last_year
        assert record.texts and set(record.texts) <= {"ru", "en"}
        json.dumps(record.to_json(), ensure_ascii=False).encode("utf-8")  # storable in the index as is
    if suffix.lower() == ".txt":
        assert len(result.records) + len(result.errors) == 1
    elif suffix != ".jsonl":  # an empty .jsonl holds no records and nothing wrong; a .json or .csv says why
        assert result.records or result.errors
