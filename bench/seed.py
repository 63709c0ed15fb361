"""The seed letter as the benchmarks read it: documents/ also holds a sample of the corpora they read whole."""

from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "documents" / "1950-08-27-stalin-to-gottwald-security-council.txt"
