"""How related the related records are: for a dozen FRUS records of the archive index, the share of
their five related records that come from their own volume (the `collection`), and the time taken.

    .venv/bin/python -m bench.related [--records 12]

Uses the index `bench.quality.run` caches (run that first). The records are drawn evenly from the
FRUS records of the index, one volume after another, so large and small volumes both count.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench.quality import run as quality

RELATED = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=12)
    args = parser.parse_args(argv)
    engine = quality.cached_engine("archive")
    if engine is None:
        return 1
    from search_service.records import read_records

    records = read_records(quality.QUERY_SETS["archive"].records).records
    frus = sorted((record for record in records if record.id.startswith("frus")),
                  key=lambda record: (record.metadata.get("collection", ""), record.id))
    chosen = frus[::max(1, len(frus) // args.records)][:args.records]
    shares, seconds = [], []
    for record in chosen:
        started = time.perf_counter()
        hits = engine.related(record, RELATED)
        seconds.append(time.perf_counter() - started)
        same = sum(hit.record.metadata.get("collection") == record.metadata.get("collection") for hit in hits)
        shares.append(same / RELATED)
        print(f"  {record.id:<28} {record.metadata.get('collection', ''):<20} {same}/{RELATED} from its volume")
    print(f"{len(chosen)} FRUS records: {statistics.mean(shares):.0%} of their {RELATED} related records come from "
          f"their own volume; {statistics.median(seconds) * 1000:.0f} ms median, {max(seconds) * 1000:.0f} ms max")
    return 0


if __name__ == "__main__":
    sys.exit(main())
