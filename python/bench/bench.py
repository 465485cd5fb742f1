"""Benchmarks of the Python package (docs/performance.md, "Python and Spark").

    python python/bench/bench.py --cli target/release/clearance [--records 1000000]

1. `Policy.evaluate` on an in-memory pyarrow Table vs the CLI on the same records as a
   Parquet file (`clearance eval --format parquet --output`), both on 2 threads;
2. `clearance.spark.evaluate` on Spark local[2] (the same Parquet file read by Spark, results
   written to Spark's `noop` sink) vs the CLI on 2 threads, Spark's start-up timed apart.

Each figure is the best of `--repeat` runs; the ratios are what to read (the machine is
shared and noisy). Needs the packages of python/requirements-dev.txt.
"""

import argparse
import decimal
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import clearance

ROOT = pathlib.Path(__file__).resolve().parents[2]
PER_RECORD = ROOT / "benches" / "h200_per_record.policy"
H200 = ROOT / "policies" / "h200_first_batch.policy"
TODAY = "2026-03-15"


def batch(n: int, seed: int = 1) -> pa.Table:
    """`n` records of the H200 schema, generated column by column."""
    rng = np.random.default_rng(seed)
    pick = lambda values: np.array(values, dtype=object)[rng.integers(0, len(values), n)]
    days = rng.integers(0, 120, n).astype("timedelta64[D]") + np.datetime64("2026-01-01")
    perf = [decimal.Decimal(v) for v in ("0.8", "1.0", "1.5", "6.0")]
    return pa.table({
        "id": pa.array([f"G-{i:07d}" for i in range(1, n + 1)]),
        "firm": pa.array(pick(["Alpha Compute", "Beta Cloud", "Gamma Labs", "Delta Robotics",
                               "Epsilon AI", "Zeta Systems", "Eta Vision", "Theta Data"])),
        "tier": pa.array(pick(["tier1", "tier2", "tier3"])),
        "action": pa.array(np.where(rng.random(n) < 0.9, "import", "export")),
        "item": pa.array(pick(["H200", "H20", "B30A", "MI308"])),
        "units": pa.array(pick([500, 2_000, 10_000, 40_000, 80_000, 150_000, 250_000,
                                450_000]).astype(np.int64)),
        "domestic_quota": pa.array(np.char.add(rng.integers(0, 80, n).astype(str), "%")),
        "relative_perf": pa.array(pick(perf), pa.decimal128(2, 1)),
        "us_license": pa.array(rng.random(n) < 0.85),
        "customs_hold": pa.array(rng.random(n) < 0.05),
        "applied_on": pa.array(days.astype("datetime64[D]"), pa.date32()),
        "note": pa.array(np.where(rng.random(n) < 0.8, None, "check"), pa.string()),
    })


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def cli_run(cli: str, policy, data, threads: int, out) -> None:
    subprocess.run([cli, "eval", str(policy), "--data", str(data), "--format", "parquet",
                    "--output", str(out), "--threads", str(threads), "--fail-on", "none",
                    "--set", f"today={TODAY}"], check=True, stderr=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-spark", action="store_true")
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp())
    table = batch(args.records)
    data = tmp / "batch.parquet"
    pq.write_table(table, data)
    print(f"{args.records:,} records, {os.cpu_count()} cores")

    rows = []
    for name, path in (("per-record rules", PER_RECORD), ("with limit", H200)):
        policy = clearance.compile(path.read_text()).with_params({"today": TODAY})
        got = policy.evaluate(table, threads=2)
        assert got.num_rows == args.records
        cli = best(lambda: cli_run(args.cli, path, data, 2, tmp / "out.parquet"), args.repeat)
        py = best(lambda: policy.evaluate(table, threads=2), args.repeat)
        rows.append((f"Python evaluate, {name}", py, cli))
    if not args.no_spark:
        rows += spark_rows(args, data, tmp)
    print(f"{'':44} {'seconds':>8} {'CLI':>8} {'ratio':>6}")
    for name, t, base in rows:
        ratio = f"{t / base:6.2f}" if base else ""
        cli = f"{base:8.2f}" if base else " " * 8
        print(f"{name:44} {t:8.2f} {cli} {ratio}")


def spark_rows(args, data, tmp):
    from pyspark.sql import SparkSession

    import clearance.spark

    os.environ["PYSPARK_PYTHON"] = sys.executable
    t = time.perf_counter()
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.range(1).count()
    start = time.perf_counter() - t
    rows = [("Spark start-up (session, first job)", start, None)]
    for name, path in (("per-record rules", PER_RECORD), ("with limit (driver pass)", H200)):
        text = path.read_text()

        def run():
            df = spark.read.parquet(str(data))
            out = clearance.spark.evaluate(df, text, params={"today": TODAY})
            out.write.format("noop").mode("overwrite").save()

        run()  # warm: the executors' Python workers and the package imported
        cli = best(lambda: cli_run(args.cli, path, data, 2, tmp / "out.parquet"), args.repeat)
        rows.append((f"Spark local[2], {name}", best(run, args.repeat), cli))
    spark.stop()
    return rows


if __name__ == "__main__":
    main()
