"""Load test: concurrent clients mixing good and hostile requests against a running server.

    search-service serve --index index &     # the server to load
    python bench/load.py --url http://127.0.0.1:8000 [--clients 16] [--seconds 30] [--json]

Prints requests, throughput, statuses, 5xx and connection errors, and p50/p90/p99/max latency overall and
for the good and hostile requests apart. Exits non-zero when any request got a 5xx or no answer.
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

# (path, params); params may be a string to send a raw query string.
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
HOSTILE = [
    ("/api/search", {"q": ""}),
    ("/api/search", {"q": "x" * 1001}),
    ("/api/search", {"q": "Ж" * 1000}),
    ("/api/search", {"q": '"unbalanced quote'}),
    ("/api/search", {"q": "(совета OR (безопасности"}),
    ("/api/search", {"q": "NOT NOT NOT Готвальд"}),
    ("/api/search", {"q": "AND OR NOT * ? :"}),
    ("/api/search", {"q": "record:x id:y year:abc content_hash:z"}),
    ("/api/search", {"q": "(" * 499 + "Готвальд" + ")" * 499}),
    ("/api/search", {"q": "(" * 998 + "x"}),
    ("/api/search", {"q": " ".join(f"слово{i}" for i in range(120))}),
    ("/api/search", {"q": " ".join(["совет", "council", "безопасность", "withdrawal"] * 12)}),
    ("/api/search", {"q": "а*"}),
    ("/api/search", {"q": "*a* *"}),
    ("/api/search", {"q": "со* по* на* пр* council*"}),
    ("/api/search", {"q": "a~2 b~2 c~2 d~2 e~2"}),
    ("/api/search", {"q": "Готвальд\x00\x01\u202e\u2066😀🇷🇺"}),
    ("/api/search", {"q": "<script>alert(1)</script> onerror=alert(2) javascript:alert(3)"}),
    ("/api/search", {"q": "совет", "page": "-1"}),
    ("/api/search", {"q": "совет", "page": "99999999999999999999"}),
    ("/api/search", {"q": "совет", "per_page": "100000"}),
    ("/api/search", {"q": "совет", "page": "1000", "per_page": "50"}),
    ("/api/search", {"q": "совет", "lang": "fr"}),
    ("/api/search", {"q": "совет", "year_from": "3000", "year_to": "1"}),
    ("/api/search", {"q": "совет", "year_from": "-5"}),
    ("/api/search", "q=a&q=b&page=1&page=2"),
    ("/api/search", "q=%FF%FE%FD&page=%ZZ"),
    ("/api/search", "q=%D0%93%D0%BE%D1%82%D0%B2%D0%B0%D0%BB%D1%8C%D0%B4%C3"),
    ("/api/documents/..%2F..%2Fetc%2Fpasswd", {}),
    ("/api/documents/" + "a" * 5000, {}),
    ("/api/documents/%00%FF", {}),
    ("/documents/../../etc/passwd", {}),
    ("/", {"q": "<img src=x onerror=alert(1)>", "page": "0"}),
]


@dataclass
class LoadReport:
    seconds: float
    clients: int
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"good": [], "hostile": []})
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    connection_errors: list[str] = field(default_factory=list)
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
            "timed_out": self.timed_out,
            "latency_ms": {kind or "all": {k: round(v, 1) for k, v in self.percentiles(kind).items()}
                           for kind in (None, "good", "hostile")},
        }


def run(base_url: str, clients: int = 16, seconds: float = 30.0, timeout: float = 30.0) -> LoadReport:
    """`clients` threads, each with its own connection, sending good and hostile requests for `seconds`."""
    report = LoadReport(seconds=seconds, clients=clients)
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    requests_mix = [("good", path, params) for path, params in GOOD] + \
                   [("hostile", path, params) for path, params in HOSTILE]

    def client(number: int) -> None:
        order = requests_mix[:]
        random.Random(number).shuffle(order)
        with requests.Session() as session:
            for kind, path, params in itertools.cycle(order):
                if time.monotonic() >= stop:
                    return
                url = base_url + path + (f"?{params}" if isinstance(params, str) else "")
                started = time.perf_counter()
                try:
                    response = session.get(url, params=params if isinstance(params, dict) else None,
                                           timeout=timeout)
                    outcome = response.status_code
                    timed_out = path == "/api/search" and outcome == 200 and response.json()["timed_out"]
                except requests.RequestException as exc:
                    outcome = f"{type(exc).__name__}: {exc}"
                elapsed = time.perf_counter() - started
                with lock:
                    report.latencies[kind].append(elapsed)
                    if isinstance(outcome, str):
                        report.connection_errors.append(f"{path} {outcome}")
                        report.statuses["no answer"] += 1
                    else:
                        report.statuses[str(outcome)] += 1
                        report.timed_out += timed_out
                        if outcome >= 500:
                            report.server_errors.append(f"{outcome} {url[:200]}")

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
              f"searches cut short by the time limit: {summary['timed_out']}")
        for kind, figures in summary["latency_ms"].items():
            print(f"  {kind:8} " + "  ".join(f"{name} {value:8.1f} ms" for name, value in figures.items()))
        for line in (report.server_errors + report.connection_errors)[:10]:
            print("  ", line)
    sys.exit(1 if report.server_errors or report.connection_errors else 0)


if __name__ == "__main__":
    main()
