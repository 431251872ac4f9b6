"""Load time, per-suggestion latency (p50/p95/max) and resident memory added by the shipped routing model.

Usage: python benchmarks/routing_speed.py [--model DIR] [--data CSV]
Queries are the titles and bodies of the dev CSV when present (never printed), else made-up texts.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def queries(data: Path, n: int) -> list[tuple[str, str]]:
    if data.is_file():
        with data.open(encoding="utf-8", newline="") as handle:
            rows = [(r["title"], r["body"]) for r in csv.DictReader(handle)]
        random.Random(0).shuffle(rows)
        return rows[:n]
    made_up = [
        ("小区物业乱收停车费", ""),
        ("", "学校周末违规补课收费，家长反映多次无果"),
        ("医院收费不合理", ""),
    ]
    return (made_up * (n // len(made_up) + 1))[:n]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=str(REPO / "resources" / "routing"))
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "routing" / "dev.csv"))
    parser.add_argument("-n", type=int, default=2000)
    args = parser.parse_args()
    work = queries(Path(args.data), args.n)

    import numpy  # noqa: F401  (imported before measuring: the app has numpy loaded anyway)

    from operator_app.routing.directory import load_directory, load_gazetteer
    from operator_app.routing.model import RoutingModel
    from operator_app.routing.suggest import suggest

    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    model = RoutingModel.load(args.model)
    load_s = time.perf_counter() - started
    gc.collect()
    after_load = rss_mb()

    city = REPO / "resources" / "city"
    directory = load_directory(city / "routing_directory.toml")
    gazetteer = load_gazetteer(city / "districts.toml")
    times, cpu = [], []
    for title, body in work:
        t0, c0 = time.perf_counter(), time.process_time()
        suggest(model, directory, gazetteer, title=title, body=body, address="")
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    long_text = "道路施工噪音扰民" * 12_500
    t0 = time.perf_counter()
    model.predict("", long_text)
    long_ms = (time.perf_counter() - t0) * 1000
    size = sum(p.stat().st_size for p in Path(args.model).iterdir())
    print(
        json.dumps(
            {
                "model_version": model.version[:16],
                "load_s": round(load_s, 3),
                "suggest_ms": {
                    "p50": round(times[len(times) // 2], 3),
                    "p95": round(times[int(len(times) * 0.95)], 3),
                    "max": round(times[-1], 3),
                    "n": len(times),
                },
                "suggest_cpu_ms": {
                    "p50": round(cpu[len(cpu) // 2], 3),
                    "p95": round(cpu[int(len(cpu) * 0.95)], 3),
                },
                "load_average_1min": round(os.getloadavg()[0], 2),
                "predict_100k_chars_ms": round(long_ms, 1),
                "rss_added_mb": {
                    "after_load": round(after_load - before, 1),
                    "after_queries": round(rss_mb() - before, 1),
                },
                "model_bytes": size,
                "vocabulary": model.vocabulary_size,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
