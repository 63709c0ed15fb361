"""An index written before snippets came from stored characters is rebuilt in full, not patched."""

from pathlib import Path

from hypothesis import given, strategies as st
from whoosh import index as whoosh_index
from whoosh.fields import TEXT
from whoosh.formats import Characters

from search_service.engine import Engine
from search_service.engine.build import building, generations
from search_service.engine.schema import LANGUAGE_FIELDS, BilingualAnalyzer, BilingualText, _one_occurrence, build_schema
from search_service.text.analysis import index_terms
from search_service.service.search import SearchOptions, search

from conftest import SEED_ID


def _old_format_generation(index_dir: Path, records) -> None:
    """A published generation whose text fields keep positions only (the format before characters)."""
    schema = build_schema()
    for field in LANGUAGE_FIELDS:
        schema.remove(field)
        schema.add(field, TEXT(analyzer=BilingualAnalyzer(), phrase=True))
    index_dir.mkdir()
    build_dir = generations.new_build_dir(index_dir)
    writer = whoosh_index.create_in(str(build_dir), schema).writer()
    for record in records:
        writer.add_document(**building._fields_for(record, building.content_hash(record)))
    writer.commit()
    generations.publish(index_dir, build_dir)


def test_an_index_without_characters_gets_a_full_build(records, tmp_path):
    index_dir = tmp_path / "index"
    _old_format_generation(index_dir, records)
    result = building.build(records, [], index_dir)
    assert result.full and result.published
    hit = search(Engine.open(index_dir), SearchOptions(query="совета безопасности")).hits[0]
    assert hit.id == SEED_ID
    assert "<mark>Совете</mark>" in hit.snippets["ru"]



@given(st.integers(0, 2**32), st.integers(0, 2**32), st.integers(0, 40))
def test_one_occurrence_is_written_as_whoosh_writes_it(position, start, length):
    """A posting of one occurrence is put together without a pickler: the same bytes as Whoosh's."""
    occurrence = (position, start, start + length)
    assert _one_occurrence(*occurrence) == Characters().encode([occurrence])


def test_a_text_field_gives_the_postings_whoosh_gives():
    text = "Совет Безопасности, совет; Security Council's council " * 3 + "x" * 70_000 + " Прага"
    expected = {term.encode(): Characters().encode(found) for term, found in index_terms(text).items()}
    assert {term: value for term, _, _, value in BilingualText().index(text)} == expected
