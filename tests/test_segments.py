"""A full build (postings grouped in memory, one segment per process) writes what Whoosh's own writer does."""

import multiprocessing
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from search_service.engine import Engine
from search_service.engine.build import building, generations, segments
from search_service.engine.build.grouped import GroupedPostings
from search_service.engine.build.merging import merge_segments
from search_service.engine.schema import build_schema
from search_service.service.search import SearchOptions, search

from conftest import corpus_records

QUERIES = ["совета безопасности withdrawal", "Праге OR Gottwald", "первых", '"Security Council"', "безопасн*",
           "Готвальд Бенеш финал", '"Совета Безопасности"', "Gottwald NOT Праге"]


def _many(records, copies: int):
    """The records again and again under new ids: long posting lists (several blocks per term)."""
    return [replace(record, id=f"{record.id}-{n}") for n in range(copies) for record in records]


def _whoosh_built(records, index_dir: Path) -> Path:
    """A published generation written by Whoosh's own writer, as full builds did before."""
    index_dir.mkdir()
    build_dir = generations.new_build_dir(index_dir)
    writer = whoosh_index.create_in(str(build_dir), build_schema()).writer(compound=False)
    for record in records:
        writer.add_document(**building._fields_for(record, building.content_hash(record)))
    writer.commit()
    return generations.publish(index_dir, build_dir)


def _contents(generation: Path) -> dict:
    """Everything a reader sees: each term's postings (document, weight, encoded positions and
    characters) and statistics, field lengths per document and in total, stored fields."""
    reader = whoosh_index.open_dir(str(generation)).reader()
    postings = {}
    for fieldname, text in reader.all_terms():
        matcher = reader.postings(fieldname, text)
        found = []
        while matcher.is_active():
            found.append((matcher.id(), matcher.weight(), matcher.value()))
            matcher.next()
        info = reader.term_info(fieldname, text)
        postings[fieldname, text] = (found, info.weight(), info.doc_frequency(), info.min_length(),
                                     info.max_length(), info.max_weight(), info.min_id(), info.max_id())
    names = reader.schema.names()
    documents = range(reader.doc_count_all())
    return {"postings": postings,
            "lengths": {name: [reader.doc_field_length(docnum, name) for docnum in documents] for name in names},
            "totals": {name: reader.field_length(name) for name in names},
            "stored": list(reader.all_stored_fields())}


def _assert_same_index(records, tmp_path, monkeypatch, memory_mb=building.BUILD_MEMORY_MB):
    monkeypatch.setattr(building, "PARALLEL_FROM_CHARS", 10**12)  # one process, so document numbers match
    ours = building.build(records, [], tmp_path / "ours", full=True, memory_mb=memory_mb)
    theirs = _whoosh_built(records, tmp_path / "whoosh")
    a, b = _contents(tmp_path / "ours" / ours.generation), _contents(theirs)
    assert len(a["postings"]) > 1000 and a["stored"]
    assert a["postings"].keys() == b["postings"].keys()
    differ = [key for key in a["postings"] if a["postings"][key] != b["postings"][key]]
    assert differ == [], (differ[0], a["postings"][differ[0]], b["postings"][differ[0]])
    assert a["lengths"] == b["lengths"] and a["totals"] == b["totals"]
    assert a["stored"] == b["stored"]


@pytest.mark.slow
def test_a_full_build_holds_what_whoosh_writes(records, tmp_path, monkeypatch):
    _assert_same_index(_many(records, 150), tmp_path, monkeypatch)


@pytest.mark.slow
def test_segments_written_at_the_memory_budget_merge_into_what_whoosh_writes(records, tmp_path, monkeypatch):
    merged = []
    monkeypatch.setattr(segments, "merge_segments", lambda *args: merged.append(args[1]) or merge_segments(*args))
    _assert_same_index(_many(records, 100), tmp_path, monkeypatch, memory_mb=1)
    assert len(merged) == 1 and len(merged[0]) > 2  # one process wrote several segments, merged once


@pytest.mark.slow
def test_a_full_build_of_archive_records_holds_what_whoosh_writes(tmp_path, monkeypatch):
    records = [*corpus_records("stalin-works-ru.jsonl", "ru", 60), *corpus_records("frus-en.jsonl", "en", 300)]
    _assert_same_index(records, tmp_path, monkeypatch)


@pytest.mark.slow
@pytest.mark.parametrize("memory_mb", [building.BUILD_MEMORY_MB, 1])
def test_a_build_in_two_processes_answers_as_whoosh_written_index(memory_mb, records, tmp_path, monkeypatch):
    """One segment per process (with a small memory budget, several merged), searched as one written by Whoosh."""
    monkeypatch.setattr(building, "PARALLEL_FROM_CHARS", 0)
    monkeypatch.setattr(building, "BUILD_PROCESSES", 2)
    many = _many(records, 60)
    with generations.rebuild_lock(tmp_path / "parallel", wait=True):
        building.build(many, [], tmp_path / "parallel", full=True, memory_mb=memory_mb)
    parallel = Engine.open(tmp_path / "parallel")
    written = whoosh_index.open_dir(str(generations.current_generation(tmp_path / "parallel"))).reader()
    assert written.doc_count() == len(many)
    assert len(written.leaf_readers()) == 2
    _whoosh_built(many, tmp_path / "whoosh")
    single = Engine.open(tmp_path / "whoosh")
    for query in QUERIES:
        # Untranslated: a lexicon is sampled anew by every build (and Whoosh's writer made none).
        a = search(parallel, SearchOptions(query=query, per_page=50, translate=False))
        b = search(single, SearchOptions(query=query, per_page=50, translate=False))
        assert a.total == b.total > 0, query
        # The same scores and snippets; only the order among equal scores may differ (document numbers).
        assert sorted((h.score, sorted(h.snippets.items())) for h in a.hits) == \
               sorted((h.score, sorted(h.snippets.items())) for h in b.hits), query


def test_the_postings_pool_knows_about_the_memory_it_holds(records):
    """The budget a full build keeps to is the pool's own estimate: it must be near what Python allocates."""
    schema = build_schema()
    many = _many(records, 40)

    def pooled() -> GroupedPostings:
        pool = GroupedPostings()
        for docnum, record in enumerate(many):
            fields = building._fields_for(record, "")
            for name in ("title", "summary", "citation", "ru", "en"):
                if fields.get(name):
                    pool.add_field(name, docnum, schema[name].postings(fields[name]))
        return pool

    pooled()  # the analysis caches filled first: only the pool is measured
    tracemalloc.start()
    try:
        pool = pooled()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert pool.size > 1_000_000
    assert 0.7 < pool.size / held < 1.4, (pool.size, held)


class _FailingSecondReading:
    """Records that read well once (the plan) and fail halfway through the second reading (the writing)."""

    def __init__(self, records) -> None:
        self.records, self.readings = records, 0

    def __iter__(self):
        self.readings += 1
        for number, record in enumerate(self.records):
            if self.readings == 2 and number == len(self.records) // 2:
                raise ValueError("no fields for the records read second")
            yield record


@pytest.mark.parametrize("failing", ["child", "reading"])
def test_a_failing_build_process_fails_the_build_and_leaves_nothing(failing, records, tmp_path, monkeypatch):
    monkeypatch.setattr(building, "PARALLEL_FROM_CHARS", 0)
    monkeypatch.setattr(building, "BUILD_PROCESSES", 2)
    fields_for = building._fields_for

    def failing_fields_for(record, record_hash):
        if record.id.endswith("-2") and multiprocessing.parent_process() is not None:
            raise ValueError(f"no fields for {record.id}")
        return fields_for(record, record_hash)

    many = _many(records, 40)
    if failing == "child":
        monkeypatch.setattr(building, "_fields_for", failing_fields_for)
    with pytest.raises(Exception, match="no fields for"):
        building.build(many if failing == "child" else _FailingSecondReading(many), [], tmp_path / "index",
                       full=True)
    assert generations.current_generation(tmp_path / "index") is None
    assert [path.name for path in (tmp_path / "index").iterdir() if path.name.startswith(".build")] == []
    assert multiprocessing.active_children() == []
