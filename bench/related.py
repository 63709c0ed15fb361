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
    from search_service.engine import Engine

    query_set = quality.QUERY_SETS["archive"]
    # The cache key is the code loaded to build the index: taken before anything else is imported.
    index_dir = quality.CACHE / f"{query_set.name}-{quality.inputs_hash(query_set.records, quality.index_sources())}"
    from search_service.records import read_records

    if not index_dir.is_dir():
        print(f"no cached index at {index_dir}: run `.venv/bin/python -m bench.quality.run --set archive` first")
        return 1
    engine = Engine.open(index_dir, time_limit=30)
    engine.prepare()
    frus = sorted((record for record in read_records(query_set.records).records if record.id.startswith("frus")),
                  key=lambda record: (record.metadata.get("collection", ""), record.id))
    chosen = frus[::max(1, len(frus) // args.records)][:args.records]
    shares, seconds = [], []
    for record in chosen:
        started = time.perf_counter()
        hits = engine.related(record.id, RELATED)
        seconds.append(time.perf_counter() - started)
        same = sum(hit.record.metadata.get("collection") == record.metadata.get("collection") for hit in hits)
        shares.append(same / RELATED)
        print(f"  {record.id:<28} {record.metadata.get('collection', ''):<20} {same}/{RELATED} from its volume")
    print(f"{len(chosen)} FRUS records: {statistics.mean(shares):.0%} of their {RELATED} related records come from "
          f"their own volume; {statistics.median(seconds) * 1000:.0f} ms median, {max(seconds) * 1000:.0f} ms max")
    return 0


if __name__ == "__main__":
    sys.exit(main())
