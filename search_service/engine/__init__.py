"""The only Whoosh code: schema, building and publishing an index, parsing and running queries."""

from search_service.engine.reader import Engine, EngineHit, EngineResult

__all__ = ["Engine", "EngineHit", "EngineResult"]
