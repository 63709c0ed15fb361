"""Prometheus metrics: what every gunicorn worker counts, and what `/metrics` reads at scrape time.

Counts live in `prometheus_client`'s multiprocess files when PROMETHEUS_MULTIPROC_DIR is set (`serve`
sets it before this module is first imported, which is when prometheus_client reads it), so the
worker that answers `/metrics` reports every worker's requests. Without it (the Flask test client,
another WSGI server) the counts are this process's own. The served generation and the rebuilds'
tally are read when scraped, not counted: every worker serves the same generation, and rebuilds
run in other processes.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, \
    multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric, SummaryMetricFamily

from search_service.service.index import ServedGeneration
from search_service.service.rebuilds import RebuildTally
from search_service.service.search import RankedRecords, SearchResult

CONTENT_TYPE = CONTENT_TYPE_LATEST
_MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
_PREFIX = "search_service_"

# A registry of our own: the default one also carries process and platform collectors, which speak
# for one process only.
_COUNTED = CollectorRegistry()
REQUESTS = Counter(f"{_PREFIX}http_requests", "HTTP requests answered, by endpoint and status",
                   ["endpoint", "status"], registry=_COUNTED)
LATENCY = Histogram(f"{_PREFIX}http_request_duration_seconds", "Seconds from a request's start to its answer",
                    ["endpoint"], registry=_COUNTED)
SEARCHES = Counter(f"{_PREFIX}searches", "Searches run (kind: query, or browse without one; exports included)",
                   ["kind"], registry=_COUNTED)
TIMED_OUT = Counter(f"{_PREFIX}searches_timed_out", "Searches the time limit cut short", ["kind"],
                    registry=_COUNTED)
EMPTY = Counter(f"{_PREFIX}searches_empty", "Searches that found nothing", ["kind"], registry=_COUNTED)
LOG_DROPPED = Counter(f"{_PREFIX}request_log_dropped", "Request log lines dropped because stderr fell behind",
                      registry=_COUNTED)
QUERY_LOG_DROPPED = Counter(f"{_PREFIX}query_log_dropped",
                            "Query log rows dropped: the log fell behind, or its database could not be written",
                            registry=_COUNTED)


def count_search(result: SearchResult | RankedRecords) -> None:
    """Count a search (a result list exported included); never raises into the request that ran it."""
    try:
        kind = "query" if result.query.strip() else "browse"
        SEARCHES.labels(kind).inc()
        if result.timed_out:
            TIMED_OUT.labels(kind).inc()
        if not result.total:
            EMPTY.labels(kind).inc()
    except Exception:  # a count lost is better than a search failed
        pass


def count_request(endpoint: str, status: int, seconds: float) -> None:
    REQUESTS.labels(endpoint, str(status)).inc()
    LATENCY.labels(endpoint).observe(seconds)


def exposition(generation: Callable[[], ServedGeneration | None], tally: Callable[[], RebuildTally | None]) -> bytes:
    """The metrics in Prometheus text format: every worker's counts, the served generation, the rebuilds."""
    live = CollectorRegistry()
    live.register(_Scraped(generation, tally))
    if os.environ.get(_MULTIPROCESS):
        multiprocess.MultiProcessCollector(live)
    else:
        live.register(_COUNTED)
    return generate_latest(live)


def worker_stopped(pid: int) -> None:
    """gunicorn's child_exit hook: a stopped worker's live gauges no longer count."""
    if os.environ.get(_MULTIPROCESS):
        multiprocess.mark_process_dead(pid)


class _Scraped:
    """The figures read when `/metrics` is scraped."""

    def __init__(self, generation: Callable[[], ServedGeneration | None],
                 tally: Callable[[], RebuildTally | None]) -> None:
        self.generation, self.tally = generation, tally

    def collect(self) -> Iterator[Metric]:
        served = self.generation()
        if served is not None:
            yield GaugeMetricFamily(f"{_PREFIX}index_documents", "Records in the generation served",
                                    value=served.documents)
            yield GaugeMetricFamily(f"{_PREFIX}index_generation_age_seconds",
                                    "Seconds since the generation served was published", value=served.age_seconds)
            info = GaugeMetricFamily(f"{_PREFIX}index_generation", "The generation served (always 1)",
                                     labels=["generation"])
            info.add_metric([served.name], 1)
            yield info
        tally = self.tally()
        if tally is None:
            return
        rebuilds = SummaryMetricFamily(f"{_PREFIX}rebuild_duration_seconds",
                                       "Rebuilds of the index and their seconds, by outcome", labels=["outcome"])
        for outcome, count in tally.count.items():
            rebuilds.add_metric([outcome], count_value=count, sum_value=tally.seconds[outcome])
        yield rebuilds
        yield GaugeMetricFamily(f"{_PREFIX}rebuild_last_duration_seconds", "Seconds the last rebuild took",
                                value=tally.last_seconds)
        yield GaugeMetricFamily(f"{_PREFIX}rebuild_last_end_timestamp_seconds", "When the last rebuild ended",
                                value=tally.last_finished)
        yield GaugeMetricFamily(f"{_PREFIX}rebuild_last_succeeded", "Whether the last rebuild succeeded (1) or failed",
                                value=float(tally.last_outcome == "succeeded"))
