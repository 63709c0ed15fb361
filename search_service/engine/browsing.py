"""Browsing: every record that passes the filters, in date order, with the facet and year counts
of a search; read from the facet table alone, no query run."""

from __future__ import annotations

from search_service.deadline import Deadline
from search_service.engine.facets import LANG, FacetCheck, count_facets
from search_service.engine.reader import PublishedIndex
from search_service.engine.tiers import EngineResult, Filters, dated_years, page_of_hits


def browse(index: PublishedIndex, page: int, per_page: int, filters: Filters, deadline: Deadline,
           sort: str = "date", facets: tuple[str, ...] = ()) -> EngineResult:
    """The page of records passing `filters` in date order (`sort` "-date": newest first; anything
    else oldest first; undated last), with the counts of `facets` and of years. Here `lang` is a
    facet filter like the others (no text is searched), so its counts are disjunctive too."""
    searcher = index.searcher()
    table = index.facet_table(searcher)
    chosen = (*filters.facets, (LANG, (filters.lang,))) if filters.lang else filters.facets
    order = table.orders["-date" if sort == "-date" else "date"]
    counted = count_facets(table, order, facets, FacetCheck(table, chosen, filters.years), deadline)
    scored = [(docnum, 0.0) for docnum in counted.passing[(page - 1) * per_page:page * per_page].tolist()]
    return EngineResult(total=len(counted.passing), hits=page_of_hits(searcher, scored, {}), terms={},
                        relaxed=False, years=dated_years(counted.years), timed_out=counted.timed_out,
                        facets=counted.facets)
