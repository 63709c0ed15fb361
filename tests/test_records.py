
from search_service.records import parse_archive_text, read_records

from conftest import DOCUMENTS, SEED, SEED_ID


def test_seed_parsed_into_fields():
    [record] = read_records([SEED]).records
    assert record.id == SEED_ID
    assert record.date == "1950-08-27"
    assert record.title.startswith("Letter from Filipov [Stalin] to Soviet Ambassador in Prague")
    assert record.summary == ("Stalin lists the reasons for the Soviet withdrawal from and the return to the "
                              "United Nations Security Council.")
    assert record.citation.startswith("Russian State Archive of Socio-Political History (RGASPI), fond 558")
    assert record.metadata["translator"] == "Gary Goldberg"
    ru = record.texts["ru"].split("\n\n")
    en = record.texts["en"].split("\n\n")
    assert ru[0] == "Cовершенно секретно"  # the Latin C stays as the archive wrote it
    assert ru[1].startswith("Передайте Готвальду на словах следующее.")
    assert ru[-1] == "27 августа 1950 г.”"
    assert en[:3] == ["Top Secret", "Prague, Soviet Ambassador",
                      "Pass Gottwald the following message orally. Put it in writing if he so requests."]
    assert en[-1] == "27 August 1950"
    # page chrome and rights boilerplate are not part of the record
    everything = " ".join([record.title, record.summary, record.citation, *record.texts.values()])
    assert "Skip to content" not in everything
    assert "welcomes reuse" not in everything
    assert "Record ID" not in everything


def test_plain_text_file_without_archive_structure(tmp_path):
    path = tmp_path / "note-1.txt"
    path.write_text("A short note\nabout things\n\nПервый абзац по-русски.\n\nAn English paragraph.\n", "utf-8")
    [record] = read_records([path]).records
    assert record.id == "note-1"
    assert record.title == "A short note"
    assert record.date is None
    assert record.texts == {"en": "about things\n\nAn English paragraph.", "ru": "Первый абзац по-русски."}


def test_json_and_jsonl_records(tmp_path):
    (tmp_path / "one.json").write_text('{"id": "a1", "title": "T", "date": "1950-08", "citation": null, '
                                       '"texts": {"en": "Hello"}, "type": "letter"}', "utf-8")
    (tmp_path / "many.jsonl").write_text('{"id": "b1", "title": "", "date": null, "texts": {"ru": "Привет"}}\n'
                                         '\n{"id": "b2", "date": "1950", "texts": {"ru": "Мир", "en": "Peace"}}\n',
                                         "utf-8")
    result = read_records([tmp_path])
    assert not result.errors
    by_id = {r.id: r for r in result.records}
    assert set(by_id) == {"a1", "b1", "b2"}
    assert by_id["a1"].metadata == {"type": "letter"}
    assert by_id["a1"].date == "1950-08"
    assert by_id["b2"].year == 1950


def test_malformed_records_are_reported_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        b'{"id": "ok1", "texts": {"en": "fine"}}\n'
        b'{"id": "x", "texts": \n'
        b'{"title": "no id", "texts": {"en": "text"}}\n'
        b'{"id": "ok1", "texts": {"en": "again"}}\n'
        b'{"id": "empty", "texts": {"en": "  "}}\n'
        b'{"id": "baddate", "date": "1950-13-01", "texts": {"en": "x"}}\n'
        b'{"id": "bytes", "texts": {"en": "\xff\xfe"}}\n'
        b'{"id": "ok2", "texts": {"ru": "\xd0\xb4\xd0\xb0"}}\n')
    result = read_records([bad])
    assert [r.id for r in result.records] == ["ok1", "ok2"]
    messages = [str(e) for e in result.errors]
    assert messages[0].startswith(f"{bad}:2: bad JSON")
    assert messages[1] == f"{bad}:3: missing id"
    assert messages[2].startswith(f"{bad}:4: duplicate id 'ok1'")
    assert messages[3].startswith(f"{bad}:5: no text")
    assert messages[4].startswith(f"{bad}:6: bad date '1950-13-01'")
    assert messages[5].startswith(f"{bad}:7: not valid UTF-8")


def test_empty_text_file_is_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("\n\n", "utf-8")
    result = read_records([path])
    assert not result.records
    assert str(result.errors[0]) == f"{path}:1: no text: the file is empty"


def test_archive_text_keeps_defects_as_written():
    record = parse_archive_text(SEED.read_text("utf-8"), SEED_ID, "seed")
    assert "боьшинство" in record.texts["ru"]
    assert "автортет" in record.texts["ru"]


def test_the_documents_folder_reads_cleanly_with_its_sample():
    read = read_records([DOCUMENTS])
    assert not read.errors, read.errors[:3]
    assert 31 <= len(read.records) <= 51 and SEED_ID in {record.id for record in read.records}
    assert [path.name for path in read.skipped] == ["README.md"]
    kinds = {record.metadata.get("collection") for record in read.records} - {None}
    assert len(kinds) >= 3 and {"ru", "en"} <= {lang for record in read.records for lang in record.texts}
