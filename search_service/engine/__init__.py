"""The only Whoosh code: schema, building and publishing an index, parsing and running queries."""

from search_service.engine.index import Engine
from search_service.engine.tiers import EngineHit, EngineResult, Filters

__all__ = ["Engine", "EngineHit", "EngineResult", "Filters"]
