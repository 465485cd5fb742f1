"""clearance.spark on local[2]: the CLI's decisions, reasons and allocation facts, with and
without `limit` (allocated per group, and in one pass on the driver)."""

import os
import sys

import pyarrow as pa
import pytest

import clearance
import clearance.spark
import generate
from conftest import DATA, POLICIES, ROOT, TODAY, policy_text
from oracle import cli_results, load_ndjson, table_results, write_ndjson

pyspark = pytest.importorskip("pyspark")

PER_RECORD = ROOT / "benches" / "h200_per_record.policy"


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors' Python: this one
    session = (SparkSession.builder.master("local[2]").appName("clearance-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """200,000 generated records: as Arrow, and as NDJSON for the CLI."""
    records = generate.h200_records(200_000, seed=11)
    path = tmp_path_factory.mktemp("big") / "batch.ndjson"
    write_ndjson(records, path)
    return pa.Table.from_pylist(records), path


def spark_results(df):
    rows = table_results(df.toArrow())
    return sorted(rows, key=lambda r: r["position"])


# The results' schema as Spark holds it (every field nullable, `position` signed).
SPARK_SCHEMA = clearance.spark._for_spark(clearance.results_schema())


def spark_table(df) -> pa.Table:
    """Spark's results in input order, in the schema Spark holds them in."""
    return df.toArrow().sort_by("position").cast(SPARK_SCHEMA)


def assert_same_table(got: pa.Table, want: pa.Table):
    if not got.equals(want):  # say where
        assert table_results(got) == table_results(want)
        assert got.schema == want.schema


@pytest.mark.parametrize("sample", ["domestic_quota", "export_control", "h200_first_batch"])
def test_the_bundled_samples_on_spark_give_the_results_of_the_cli(spark, cli, tmp_path, sample):
    records = load_ndjson(DATA / f"{sample}.ndjson")
    path = tmp_path / "data.ndjson"
    write_ndjson(records, path)
    df = spark.createDataFrame(pa.Table.from_pylist(records)).repartition(1).coalesce(1)
    text = policy_text(sample)
    got = spark_results(clearance.spark.evaluate(df, text, params={"today": TODAY}))
    want = cli_results(cli, POLICIES / f"{sample}.policy", path, "--set", f"today={TODAY}")
    assert got == want


@pytest.mark.parametrize("name,text,per_group", [
    ("per_record", None, False),
    ("h200", "h200_first_batch", False),
    ("per_firm", generate.PER_FIRM, True),
])
def test_200_000_records_on_spark_python_and_the_cli_agree(spark, cli, tmp_path, big, name,
                                                           text, per_group):
    table, data = big
    if text is None:
        policy_path = PER_RECORD
    elif text == "h200_first_batch":
        policy_path = POLICIES / "h200_first_batch.policy"
    else:
        policy_path = tmp_path / f"{name}.policy"
        policy_path.write_text(text)
    policy = clearance.compile(policy_path.read_text(), path=str(policy_path))
    assert policy._allocates_per_group() == per_group
    params = {"today": TODAY}
    if name == "per_firm":
        params["firm_cap"] = 4_000_000
    sets = [a for k, v in params.items() for a in ("--set", f"{k}={v}")]
    want = cli_results(cli, policy_path, data, *sets)
    python = policy.evaluate(table, params=params)
    # Several partitions, so that positions and the allocation cross them.
    df = spark.createDataFrame(table)
    assert df.rdd.getNumPartitions() >= 2
    got = spark_table(clearance.spark.evaluate(df, policy, params=params))
    assert len(want) == 200_000
    assert table_results(python) == want  # Python is the CLI, record by record,
    assert_same_table(got, python.cast(SPARK_SCHEMA))  # and Spark is Python, column by column
    if policy.has_limits:
        assert sum(1 for r in want if r.get("allocations")) > 1_000
        assert any(f["rule"] in ("national_allocation", "per_firm", "per_firm_count")
                   and not f["admitted"] for r in want for f in r.get("allocations", []))


def test_a_position_column_gives_the_input_order(spark, cli, tmp_path, big):
    table, data = big
    table = table.slice(0, 20_000)
    path = tmp_path / "part.ndjson"
    write_ndjson(table.to_pylist(), path)
    table = table.append_column("seq", pa.array(range(1, table.num_rows + 1), pa.int64()))
    # Shuffled: the DataFrame's own order is not the input order, the column is.
    df = spark.createDataFrame(table).repartition(3)
    text = generate.TWO_GROUPINGS
    policy_path = tmp_path / "two.policy"
    policy_path.write_text(text)
    got = spark_results(clearance.spark.evaluate(df, text, params={"today": TODAY},
                                                 position="seq"))
    want = cli_results(cli, policy_path, path, "--set", f"today={TODAY}")
    assert got == want


def test_a_bad_policy_or_param_fails_on_the_driver(spark):
    df = spark.createDataFrame([(1,)], "n long")
    with pytest.raises(clearance.PolicyError):
        clearance.spark.evaluate(df, "policy \"p\"\nschema { n: int }\nrule r: deny when m\n")
    with pytest.raises(clearance.PolicyError, match="no param `cap`"):
        clearance.spark.evaluate(df, "policy \"p\"\nschema { n: int }\nrule r: deny when n > 1\n",
                                 params={"cap": 1})


def test_a_bad_record_is_labelled_by_its_id_of_any_type_as_evaluate_labels_it(spark):
    # `share` comes as text, so each value is read on its own: the bad record keeps its
    # int `id` as its label, on Spark as in `Policy.evaluate`.
    text = "policy \"p\"\nschema {\n  id: int\n  share: percent\n}\nrule big: deny when share > 10%\n"
    table = pa.table({"id": pa.array([7, 8], pa.int64()), "share": pa.array(["x", "12%"])})
    want = clearance.compile(text).evaluate(table)
    got = spark_table(clearance.spark.evaluate(spark.createDataFrame(table.to_pandas()), text))
    assert want.column("record").to_pylist() == ["7", "8"]
    assert got.column("record").to_pylist() == ["7", "8"]
    assert got.column("decision").to_pylist() == want.column("decision").to_pylist()
