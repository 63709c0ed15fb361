"""A generation's per-record columns (years, facet value codes) as numpy arrays, so a search's
filters are one mask over every record instead of a check per matching record."""

from __future__ import annotations

from weakref import WeakKeyDictionary

import numpy as np

from search_service.engine.collecting import YearRange
from search_service.engine.facets import FacetFilters, FacetTable

_ARRAYS: WeakKeyDictionary = WeakKeyDictionary()  # facet table -> its columns as arrays


class Columns:
    """The years and facet codes of a `FacetTable`, by record number."""

    def __init__(self, table: FacetTable) -> None:
        self.dated = np.array([years is not None for years in table.years], bool)
        self.starts = np.array([years[0] if years else 0 for years in table.years], np.int64)
        self.ends = np.array([years[1] if years else 0 for years in table.years], np.int64)
        self.codes = {name: np.array(facet.codes, np.int64) for name, facet in table.facets.items()}


def columns(table: FacetTable) -> Columns:
    """The table's columns as arrays, made once per generation."""
    found = _ARRAYS.get(table)
    if found is None:
        found = _ARRAYS[table] = Columns(table)
    return found


def filter_mask(table: FacetTable, years: YearRange | None, facets: FacetFilters) -> np.ndarray | None:
    """Which records are dated in the year range and have a wanted value of every filtered facet;
    None when there is no filter."""
    if years is None and not facets:
        return None
    arrays = columns(table)
    mask = np.ones(len(arrays.dated), bool)
    if years is not None:
        first, last = years
        mask &= arrays.dated
        if first is not None:
            mask &= arrays.ends >= first
        if last is not None:
            mask &= arrays.starts <= last
    for name, values in facets:
        if name not in table.facets:
            return np.zeros(len(arrays.dated), bool)
        # One more entry, False, for the code -1 (no value).
        allowed = np.array([*table.facets[name].allowed(values), False], bool)
        mask &= allowed[arrays.codes[name]]
    return mask
