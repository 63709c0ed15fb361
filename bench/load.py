"""Load test: concurrent clients mixing good and hostile requests against a running server.

    search-service serve --index index &     # the server to load
    python bench/load.py --url http://127.0.0.1:8000 [--clients 16] [--seconds 30] [--json]

Prints requests, throughput, statuses, 5xx and connection errors, answers unlike the status or body
expected, and p50/p90/p99/max latency overall and for the good and hostile requests apart. Exits
non-zero when any request got a 5xx, no answer, or an unexpected answer.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

SEED_ID = "1950-08-27-stalin-to-gottwald-security-council"

# (path, params), each answered 200; params may be a string to send a raw query string.
GOOD = [
    ("/api/search", {"q": "совета безопасности"}),
    ("/api/search", {"q": "withdrawal from the Security Council"}),
    ("/api/search", {"q": "Готвальдом", "lang": "ru"}),
    ("/api/search", {"q": "Gottwald OR Готвальд", "per_page": "50"}),
    ("/api/search", {"q": '"Совете Безопасности"'}),
    ("/api/search", {"q": "безопасн*"}),
    ("/api/search", {"q": "council report", "page": "2", "per_page": "1"}),
    ("/api/search", {"q": "совет OR council", "year_from": "1940", "year_to": "1960"}),
    ("/embed", {"q": "Gottwald", "ui": "ru"}),
    ("/api/documents/" + SEED_ID, {}),
    ("/", {"q": "совета безопасности"}),
    ("/documents/" + SEED_ID, {"q": "Готвальд"}),
    ("/health", {}),
]
# (path, params, the status the server answers with): refused with a 4xx, or searched as well as it can.
HOSTILE = [
    ("/api/search", {"q": ""}, 200),  # browsing
    ("/api/search", {"q": "совет", "sort": "newest"}, 400),
    ("/api/search", {"q": "x" * 1001}, 400),
    ("/api/search", {"q": "Ж" * 1000}, 200),
    ("/api/search", {"q": '"unbalanced quote'}, 200),
    ("/api/search", {"q": "(совета OR (безопасности"}, 200),
    ("/api/search", {"q": "NOT NOT NOT Готвальд"}, 200),
    ("/api/search", {"q": "AND OR NOT * ? :"}, 200),
    ("/api/search", {"q": "record:x id:y year:abc content_hash:z"}, 200),
    ("/api/search", {"q": "(" * 499 + "Готвальд" + ")" * 499}, 400),
    ("/api/search", {"q": "(" * 998 + "x"}, 200),
    ("/api/search", {"q": " ".join(f"слово{i}" for i in range(120))}, 400),
    ("/api/search", {"q": " ".join(["совет", "council", "безопасность", "withdrawal"] * 12)}, 200),
    ("/api/search", {"q": "а*"}, 400),
    ("/api/search", {"q": "*a* *"}, 400),
    ("/api/search", {"q": "со* по* на* пр* council*"}, 200),
    ("/api/search", {"q": "a~2 b~2 c~2 d~2 e~2"}, 200),
    ("/api/search", {"q": "Готвальд\x00\x01\u202e\u2066😀🇷🇺"}, 200),
    ("/api/search", {"q": "<script>alert(1)</script> onerror=alert(2) javascript:alert(3)"}, 200),
    ("/api/search", {"q": "совет", "page": "-1"}, 400),
    ("/api/search", {"q": "совет", "page": "99999999999999999999"}, 400),
    ("/api/search", {"q": "совет", "per_page": "100000"}, 400),
    ("/api/search", {"q": "совет", "page": "1000", "per_page": "50"}, 200),
    ("/api/search", {"q": "совет", "lang": "fr"}, 400),
    ("/api/search", {"q": "совет", "year_from": "3000", "year_to": "1"}, 400),
    ("/api/search", {"q": "совет", "year_from": "-5"}, 400),
    ("/api/search", "q=a&q=b&page=1&page=2", 400),
    ("/api/search", "q=%FF%FE%FD&page=%ZZ", 400),
    ("/api/search", "q=%D0%93%D0%BE%D1%82%D0%B2%D0%B0%D0%BB%D1%8C%D0%B4%C3", 400),
    ("/api/documents/..%2F..%2Fetc%2Fpasswd", {}, 404),
    ("/api/documents/" + "a" * 5000, {}, 404),
    ("/api/documents/%00%FF", {}, 404),
    ("/documents/../../etc/passwd", {}, 404),
    ("/", {"q": "<img src=x onerror=alert(1)>", "page": "0"}, 200),
]


@dataclass(frozen=True)
class Probe:
    """One request of the mix and the status it must be answered with."""

    kind: str  # "good" or "hostile"
    path: str
    params: dict[str, str] | str
    status: int

    def url(self, base_url: str) -> str:
        """The request's URL on a server; a raw query string goes into it as written."""
        return base_url + self.path + (f"?{self.params}" if isinstance(self.params, str) else "")


MIX = [Probe("good", path, params, 200) for path, params in GOOD] + \
      [Probe("hostile", path, params, status) for path, params, status in HOSTILE]


@dataclass
class LoadReport:
    seconds: float
    clients: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"good": [], "hostile": []})
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    connection_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # not the probe's status, or a body of the wrong shape
    timed_out: int = 0  # searches answered at the time limit with partial results

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def percentiles(self, kind: str | None = None) -> dict[str, float]:
        values = sorted(self.latencies[kind] if kind else itertools.chain(*self.latencies.values()))
        if len(values) < 2:
            return {}
        cuts = statistics.quantiles(values, n=100, method="inclusive")
        return {"p50": cuts[49] * 1000, "p90": cuts[89] * 1000, "p99": cuts[98] * 1000, "max": values[-1] * 1000}

    def summary(self) -> dict:
        return {
            "clients": self.clients, "seconds": round(self.seconds, 1), "requests": self.requests,
            "requests_per_second": round(self.requests / self.seconds, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "server_errors": len(self.server_errors), "connection_errors": len(self.connection_errors),
            "unexpected": len(self.unexpected), "timed_out": self.timed_out,
            "latency_ms": {kind or "all": {k: round(v, 1) for k, v in self.percentiles(kind).items()}
                           for kind in (None, "good", "hostile")},
        }

    def add(self, probe: Probe, url: str, elapsed: float, answer: requests.Response | str) -> None:
        """One request's outcome: its answer, or the text of the error that left it unanswered."""
        self.latencies[probe.kind].append(elapsed)
        if isinstance(answer, str):
            self.connection_errors.append(f"{probe.path} {answer}")
            self.statuses["no answer"] += 1
            return
        self.statuses[str(answer.status_code)] += 1
        if answer.status_code >= 500:
            self.server_errors.append(f"{answer.status_code} {url[:200]}")
        problem = body_problem(probe, answer)
        if problem:
            self.unexpected.append(f"{answer.url[:200]}: {problem}")
        elif probe.path == "/api/search" and answer.status_code == 200:
            self.timed_out += answer.json()["timed_out"]


def body_problem(probe: Probe, answer: requests.Response) -> str | None:
    """What is wrong with an answer: a status other than the probe's, or a body of the wrong shape."""
    if answer.status_code != probe.status:
        return f"status {answer.status_code}, expected {probe.status}"
    if not answer.headers.get("Content-Type", "").startswith("application/json"):
        return None if "<html" in answer.text.lower() else "neither JSON nor an HTML page"
    try:
        body = answer.json()
    except ValueError:
        return "a JSON content type with a body that does not parse"
    if answer.status_code >= 400:
        error = body.get("error") if isinstance(body, dict) else None
        shaped = isinstance(error, dict) and isinstance(error.get("message"), str)
        return None if shaped else "an error without {\"error\": {\"code\", \"message\"}}"
    if probe.path == "/api/search" and not (isinstance(body.get("hits"), list) and isinstance(body.get("total"), int)):
        return "a search answer without hits and total"
    return None


def run(base_url: str, clients: int = 16, seconds: float = 30.0, timeout: float = 30.0,
        rounds: int | None = None) -> LoadReport:
    """`clients` threads, each with its own connection, sending the mix of good and hostile requests in
    its own order: for `seconds`, or, given `rounds`, that many times through the whole mix."""
    report = LoadReport(seconds=seconds, clients=clients)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        order = MIX[:]
        random.Random(number).shuffle(order)
        probes = itertools.chain.from_iterable(itertools.repeat(order, rounds)) if rounds else itertools.cycle(order)
        with requests.Session() as session:
            for probe in probes:
                if rounds is None and time.monotonic() >= stop:
                    return
                url = probe.url(base_url)
                started = time.perf_counter()
                try:
                    answer = session.get(url, params=probe.params if isinstance(probe.params, dict) else None,
                                         timeout=timeout)
                except requests.RequestException as exc:
                    answer = f"{type(exc).__name__}: {exc}"
                elapsed = time.perf_counter() - started
                with lock:
                    report.add(probe, url, elapsed, answer)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report.seconds = time.monotonic() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="base URL of a running server")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    report = run(args.url.rstrip("/"), args.clients, args.seconds)
    summary = report.summary()
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['clients']} clients for {summary['seconds']} s: {summary['requests']} requests "
              f"({summary['requests_per_second']}/s); statuses {summary['statuses']}")
        print(f"5xx: {summary['server_errors']}   connection errors: {summary['connection_errors']}   "
              f"unexpected answers: {summary['unexpected']}   "
              f"searches cut short by the time limit: {summary['timed_out']}")
        for kind, figures in summary["latency_ms"].items():
            print(f"  {kind:8} " + "  ".join(f"{name} {value:8.1f} ms" for name, value in figures.items()))
        for line in (report.server_errors + report.connection_errors + report.unexpected)[:10]:
            print("  ", line)
    sys.exit(1 if report.server_errors or report.connection_errors or report.unexpected else 0)


if __name__ == "__main__":
    main()
