"""An index written before snippets came from stored characters is rebuilt in full, not patched."""

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import TEXT

from search_service.engine import Engine
from search_service.engine.build import building, generations
from search_service.engine.schema import LANGUAGE_FIELDS, BilingualAnalyzer, build_schema
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
