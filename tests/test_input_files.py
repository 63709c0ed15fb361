"""Real archive input: files in the encodings Russian archives hold, shelfmark ids, archive dates, .json
arrays, .csv inventories, extensions in any case, and the files of a folder that are not records."""

from __future__ import annotations

import codecs
import json

import pytest

from search_service.records import read_records

from conftest import TEST_DATA

INPUT = TEST_DATA / "input"
NOTE = ("Совершенно секретно. Передайте Готвальду на словах следующее.\n\n"
        "Мы вышли из Совета Безопасности по четырём причинам.")


@pytest.fixture(scope="module")
def folder():
    return read_records([INPUT])


def by_id(result):
    return {record.id: record for record in result.records}


@pytest.mark.parametrize("name, encoding, bom", [
    ("беседа-cp1251.txt", "cp1251", b""),
    ("беседа-koi8r.txt", "koi8_r", b""),
    ("беседа-utf16.txt", "utf-16-le", codecs.BOM_UTF16_LE),
    ("беседа-utf8-bom.TXT", "utf-8", codecs.BOM_UTF8),
])
def test_a_note_in_each_encoding_comes_back_as_its_text(folder, name, encoding, bom):
    path = INPUT / name
    raw = path.read_bytes()
    assert raw.startswith(bom) and raw[len(bom):].decode(encoding).startswith("Запись беседы")  # the file is real
    record = by_id(folder)[path.stem]
    assert record.title.startswith("Запись беседы с послом (")
    assert record.texts == {"ru": NOTE, "en": "Top Secret. Pass Gottwald the following message orally."}


def test_the_encoding_of_each_file_not_in_utf8_is_named(folder):
    assert folder.encodings == {str(INPUT / "беседа-cp1251.txt"): "cp1251", str(INPUT / "беседа-koi8r.txt"): "KOI8-R",
                                str(INPUT / "беседа-utf16.txt"): "UTF-16", str(INPUT / "inventory.csv"): "cp1251",
                                str(INPUT / "telegrams-koi8r.JSONL"): "KOI8-R"}


def test_the_folder_reads_without_errors_and_skips_what_is_not_a_record(folder):
    assert not folder.errors, folder.errors
    assert len(folder.records) == 11
    assert folder.skipped == [INPUT / "README.md", INPUT / "scan-001.pdf"]


def test_a_cp1251_spreadsheet_inventory_with_semicolons_and_metadata_columns(folder):
    records = by_id(folder)
    minutes = records["ф.17 оп.3 д.1083"]
    assert minutes.source == f"{INPUT / 'inventory.csv'}:2"
    assert minutes.title == "Протокол заседания Политбюро"
    assert minutes.citation == "РГАСПИ, ф.17"
    assert minutes.texts == {"ru": "Протокол № 77. Слушали: \"О Совете Безопасности\".\r\nПостановили: согласиться.",
                             "en": "Minutes no. 77. On the \"Security Council\"."}
    assert minutes.metadata == {"фонд": "17", "опись": "3", "дело": "1083"}
    assert (minutes.date, minutes.when.start, minutes.when.end) == ("1950-08/1950-09", "1950-08", "1950-09")
    letter = records["RGASPI/558/11/62"]
    assert letter.source == f"{INPUT / 'inventory.csv'}:4"  # the row above spans two lines
    assert (letter.date, letter.year, letter.when.approximate) == ("ca. 1950", 1950, True)
    assert letter.texts == {"ru": "Передайте Готвальду на словах следующее."}


def test_a_json_array_of_shelfmarked_records(folder):
    records = by_id(folder)
    telegram = records["RGASPI/558/11/63"]
    assert (telegram.date, telegram.year, telegram.source) == ("1950", 1950, f"{INPUT / 'shelfmarks.Json'}:2")
    note = records["АП РФ ф.3 оп.65 д.5"]
    assert (note.date, note.year, note.when.approximate) == ("около 1951", 1951, True)
    decree = records["GARF/R-5446/1/1"]
    assert (decree.year, decree.last_year, decree.metadata) == (1950, 1952, {"type": "decree"})


def test_koi8r_json_lines_with_ranges_and_approximate_dates(folder):
    records = by_id(folder)
    assert (records["ф.558 оп.11 д.62"].year, records["ф.558 оп.11 д.62"].last_year) == (1950, 1952)
    assert records["ф.82 оп.2 д.1"].texts == {"ru": "Справка о переговорах."}
    assert records["ф.82 оп.2 д.1"].when.approximate


def test_a_forced_encoding_is_used_and_named(tmp_path):
    path = tmp_path / "note.txt"
    path.write_bytes("Заголовок\n\nЭто текст записки.".encode("koi8_r"))
    result = read_records([path], encoding="koi8-r")
    assert result.records[0].texts == {"ru": "Это текст записки."}
    assert result.encodings == {str(path): "koi8-r"}
    misread = read_records([path], encoding="cp1251")
    assert misread.records[0].title != "Заголовок"  # forced means forced, even when it is wrong
    wrong = read_records([path], encoding="utf-8")
    assert str(wrong.errors[0]) == f"{path}:1: not valid utf-8 text (byte 0 of the file: b'\\xfa')"
    with pytest.raises(LookupError):
        read_records([path], encoding="no-such-encoding")


def test_bytes_that_fit_no_encoding_name_what_was_tried_and_where(tmp_path):
    path = tmp_path / "scan.txt"
    path.write_bytes(b"Title\n\nText\n" + bytes(range(128, 256)) * 4)
    [error] = read_records([path]).errors
    assert str(error) == (f"{path}:4: not UTF-8, UTF-16 (with a BOM), cp1251, KOI8-R or cp1252 text "
                          "(byte 12 of the file: b'\\x80')")
    assert error.record_id == "scan"  # a rebuild keeps the previous version of a .txt record


def test_a_utf16_jsonl_is_decoded_before_it_is_split(tmp_path):
    path = tmp_path / "many.jsonl"
    lines = [{"id": "ф.1 оп.1 д.1", "texts": {"ru": "Один"}}, {"id": "ф.1 оп.1 д.2", "texts": {"ru": "Два"}}]
    path.write_bytes("\r\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode("utf-16"))
    result = read_records([path])
    assert [(r.id, r.source) for r in result.records] == [("ф.1 оп.1 д.1", f"{path}:1"), ("ф.1 оп.1 д.2", f"{path}:2")]


def test_a_utf8_jsonl_with_a_damaged_line_reads_the_others(tmp_path):
    path = tmp_path / "joined.jsonl"
    path.write_bytes('{"id": "a", "texts": {"ru": "Первая"}}\n'.encode("utf-8")
                     + '{"id": "b", "texts": {"ru": "Вторая"}}\n'.encode("cp1251")
                     + codecs.BOM_UTF8 + '{"id": "c", "texts": {"ru": "Третья"}}\n'.encode("utf-8"))
    result = read_records([path])
    assert [r.texts["ru"] for r in result.records] == ["Первая", "Третья"]
    assert [str(e) for e in result.errors] == [f"{path}:2: not valid UTF-8 text (byte 74 of the file: b'\\xc2')"]
    assert not result.encodings


@pytest.mark.parametrize("content, message", [
    ('{"id": "a", "texts": {"en": "no end}', "1: bad JSON at column 29: Unterminated string starting here"),
    ('[\n  {"id": "a", "texts": {"en": "x"}},\n  {"id": "b"}\n]', "3: record 2: missing texts: expected an object like {\"ru\": ..., \"en\": ...}"),
    ('[\n  {"id": "a", "texts": {"en": "x"}}\n  {"id": "b"}\n]', "3: bad JSON at column 3: Expecting ',' delimiter"),
    ('[{"id": "a", "texts": {"en": "x"}}, 7]', "1: record 2: a record must be a JSON object, got int"),
    ("[]", "1: no records: the array is empty"),
    ('{"id": "a", "date": "1951-02-30", "texts": {"en": "x"}}',
     "1: bad date '1951-02-30': the day does not exist (February 1951 has 28 days)"),
])
def test_json_errors_name_the_line_and_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "records.json"
    path.write_text(content, "utf-8")
    assert [str(e) for e in read_records([path]).errors] == [f"{path}:{message}"]


@pytest.mark.parametrize("content, message", [
    ("title,date,ru\nT,1950,текст\n", "1: the header row lacks an id column (it names: title, date, ru)"),
    ("id,title,fond\na,T,17\n", "1: the header row lacks a ru or en column (it names: id, title, fond)"),
    ("id,en,EN\na,x,y\n", "1: the header row names 'en' twice"),
    ("id,en\n", "1: no records: the file has a header row only"),
    ("id,en,fond\na,text\n", "2: the row has 2 cells; the header row has 3"),
    ('id,en\na,"open\nb,x\n', "2: bad CSV: a quoted cell is never closed (its closing quote is missing)"),
    ("id,date,en\na,1950-13,x\n", "2: bad date '1950-13': there is no month 13 (months are 01-12)"),
])
def test_csv_errors_name_the_line_and_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "inventory.CSV"
    path.write_text(content, "utf-8")
    assert [str(e) for e in read_records([path]).errors] == [f"{path}:{message}"]


def test_a_csv_takes_columns_in_any_order_and_case_and_ignores_blank_rows_and_cells(tmp_path):
    path = tmp_path / "inventory.csv"
    path.write_text("EN,Notes,Date,ID,,\nPeace,,1950,a1,,\n,,,,,\nWar,kept,,a2,,\n", "utf-8")
    result = read_records([path])
    assert not result.errors
    assert [(r.id, r.date, r.texts, r.metadata) for r in result.records] == [
        ("a1", "1950", {"en": "Peace"}, {}), ("a2", None, {"en": "War"}, {"Notes": "kept"})]


def test_a_missing_file_or_folder_says_so(tmp_path):
    result = read_records([tmp_path / "nope", tmp_path / "nope.jsonl"])
    assert [str(e) for e in result.errors] == [f"{tmp_path / 'nope'}: no such file or folder",
                                               f"{tmp_path / 'nope.jsonl'}: no such file or folder"]


def test_a_txt_record_is_named_by_its_file_and_may_date_itself_as_archives_do(tmp_path):
    path = tmp_path / "ф.17 оп.3 д.1083.txt"
    path.write_text("ca. 1950-1952\n\nПротокол\n\nТекст протокола.\n\nDocument Information\n\nRGASPI", "utf-8")
    [record] = read_records([path]).records
    assert (record.id, record.title, record.date, record.year, record.last_year) == (
        "ф.17 оп.3 д.1083", "Протокол", "ca. 1950-1952", 1950, 1952)
