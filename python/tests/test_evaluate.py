"""Policy.evaluate over pyarrow, pandas, polars and DuckDB data: the CLI's results."""

import datetime
import decimal

import pyarrow as pa
import pytest

import clearance
import generate
from conftest import DATA, POLICIES, TODAY, policy_text
from oracle import cli_results, load_ndjson, table_results, write_ndjson


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """20,000 generated records: as Arrow, and as NDJSON for the CLI."""
    records = generate.h200_records(20_000, seed=7)
    path = tmp_path_factory.mktemp("gen") / "batch.ndjson"
    write_ndjson(records, path)
    return pa.Table.from_pylist(records), path


@pytest.mark.parametrize("sample", ["domestic_quota", "export_control", "h200_first_batch"])
def test_the_bundled_samples_give_the_results_of_the_cli(cli, tmp_path, sample):
    records = load_ndjson(DATA / f"{sample}.ndjson")
    path = tmp_path / "data.ndjson"
    write_ndjson(records, path)
    policy = clearance.compile(policy_text(sample))
    got = policy.evaluate(pa.Table.from_pylist(records), params={"today": TODAY})
    want = cli_results(cli, POLICIES / f"{sample}.policy", path, "--set", f"today={TODAY}")
    assert len(want) == len(records) > 200
    assert table_results(got) == want


@pytest.mark.parametrize("name,text", [("h200", None), ("per_firm", generate.PER_FIRM),
                                       ("two_groupings", generate.TWO_GROUPINGS)])
def test_a_generated_batch_gives_the_results_of_the_cli(cli, tmp_path, generated, name, text):
    table, data = generated
    if text is None:
        text, policy_path = policy_text("h200_first_batch"), POLICIES / "h200_first_batch.policy"
    else:
        policy_path = tmp_path / f"{name}.policy"
        policy_path.write_text(text)
    got = clearance.compile(text).evaluate(table, params={"today": TODAY})
    want = cli_results(cli, policy_path, data, "--set", f"today={TODAY}")
    assert table_results(got) == want
    decisions = {r["decision"] for r in want}
    assert decisions >= {"allow", "deny", "waitlist"}
    assert any(r.get("allocations") for r in want)


def test_the_results_have_the_schema_of_results_schema(generated):
    table, _ = generated
    got = clearance.compile(policy_text("h200_first_batch")).evaluate(
        table.slice(0, 100), params={"today": TODAY})
    assert got.schema == clearance.results_schema()
    assert got.column("position").to_pylist() == list(range(1, 101))


def test_fields_select_columns_in_the_order_given(generated):
    table, _ = generated
    policy = clearance.compile(policy_text("h200_first_batch"))
    got = policy.evaluate(table.slice(0, 10), params={"today": TODAY},
                          fields=["decision", "record"])
    assert got.column_names == ["decision", "record"]
    assert got.column("record").to_pylist()[0] == "G-0000001"
    with pytest.raises(ValueError, match="there is no result field `reasons`; the fields are"):
        policy.evaluate(table.slice(0, 10), fields=["reasons"])


def test_params_change_the_run_as_set_does(cli, tmp_path, generated):
    table, data = generated
    policy = clearance.compile(policy_text("h200_first_batch"))
    params = {"national_cap": 2_000_000, "window_closes": datetime.date(2026, 3, 31),
              "today": datetime.date(2026, 3, 15)}
    got = policy.evaluate(table, params=params)
    want = cli_results(cli, POLICIES / "h200_first_batch.policy", data,
                       "--set", "national_cap=2000000", "--set", "window_closes=2026-03-31",
                       "--set", "today=2026-03-15")
    assert table_results(got) == want
    default = policy.evaluate(table, params={"today": TODAY})
    assert table_results(default) != want
    with pytest.raises(clearance.PolicyError, match="there is no param `national_cp`"):
        policy.evaluate(table, params={"national_cp": 1})


def test_pandas_polars_and_duckdb_give_the_same_results(generated):
    import duckdb
    import polars as pl

    table, _ = generated
    table = table.slice(0, 3_000)
    policy = clearance.compile(policy_text("h200_first_batch")).with_params({"today": TODAY})
    want = table_results(policy.evaluate(table))
    frame = pl.from_arrow(table)
    assert table_results(policy.evaluate(frame)) == want
    assert table_results(policy.evaluate(table.to_pandas())) == want
    assert table_results(policy.evaluate(table.to_reader(max_chunksize=500))) == want
    con = duckdb.connect()
    con.register("batch", table)
    result = con.sql("select * from batch order by id")
    assert table_results(policy.evaluate(result)) == want


def test_data_that_is_not_arrow_is_refused():
    policy = clearance.compile("policy \"p\"\nschema { n: int }\nrule r: deny when n > 1\n")
    with pytest.raises(TypeError, match="cannot read a `list` as Arrow data"):
        policy.evaluate([{"n": 1}])


def test_bad_values_are_errors_of_their_records():
    policy = clearance.compile("policy \"p\"\nschema { id: text, n: int, on: date }\n"
                               "rule r: deny when n > 1\n")
    table = pa.table({"id": ["a", "b", "c"], "n": [1, None, 5],
                      "on": ["2026-01-01", "2026-02-30", "2026-01-02"]})
    got = policy.evaluate(table).to_pylist()
    assert [r["decision"] for r in got] == ["allow", "error", "deny"]
    assert [r["record"] for r in got] == ["a", "b", "c"]
    assert len(got[1]["errors"]) == 2
