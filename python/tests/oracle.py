"""The CLI as the oracle: the same records written as NDJSON for `clearance eval`, and
results of both sides in one comparable form."""

import datetime
import decimal
import json

import pyarrow as pa

from conftest import run_cli


def load_ndjson(path):
    """The records of an NDJSON sample that Arrow can hold in typed columns: a malformed
    line, or a value not of its column's type, is left out (Arrow cannot hold it)."""
    rows = []
    for line in open(path):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line, parse_float=decimal.Decimal))
        except json.JSONDecodeError:
            continue
    kinds = {}
    for r in rows:
        for k, v in r.items():
            if v is not None:
                kinds.setdefault(k, {}).setdefault(type(v), 0)
                kinds[k][type(v)] += 1
    majority = {k: max(c, key=c.get) for k, c in kinds.items()}
    return [r for r in rows
            if all(v is None or type(v) is majority[k] for k, v in r.items())]


def write_ndjson(records, path):
    """`records` (flat dicts of Python values) as NDJSON, decimals by their exact text."""
    with open(path, "w") as f:
        for r in records:
            f.write("{" + ", ".join(f"{json.dumps(k)}: {_json(v)}" for k, v in r.items())
                    + "}\n")


def _json(v) -> str:
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, datetime.date):
        return json.dumps(v.isoformat())
    return json.dumps(v)


def normal(row: dict) -> dict:
    """A result in one form for both sides: no `line` (Arrow data has no lines), no absent
    optional keys, no empty `allocations`."""
    def clean(v):
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    out = clean({k: v for k, v in row.items() if k != "line"})
    if not out.get("allocations"):
        out.pop("allocations", None)
    return out


def cli_results(cli, policy_path, data_path, *args):
    return [normal(r) for r in run_cli(cli, policy_path, data_path, *args)]


def table_results(table: pa.Table):
    return [normal(r) for r in table.to_pylist()]
