"""Records: the `Record` type and the readers of record files (archive page text, JSON, JSONL, CSV) in
the encodings archives hold."""

from search_service.records.archive_text import parse_archive_text
from search_service.records.json_records import parse_record_json
from search_service.records.reading import RECORD_SUFFIXES, DocumentsChanged, ReadResult, RecordFiles, \
    read_records
from search_service.records.record import LANGUAGES, MAX_ID_CHARS, Record, RecordError, id_problem

__all__ = ["DocumentsChanged", "LANGUAGES", "MAX_ID_CHARS", "RECORD_SUFFIXES", "ReadResult", "Record", "RecordError",
           "RecordFiles", "id_problem",
           "parse_archive_text", "parse_record_json", "read_records"]
