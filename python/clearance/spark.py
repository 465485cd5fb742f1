"""Evaluating a policy over a Spark DataFrame, on the executors.

``evaluate(df, policy)`` returns a Spark DataFrame of results with the columns of
``clearance.results_schema()`` — the same results ``clearance eval`` gives for the same
records in the same order. The per-record rules run on the executors through
``mapInArrow``: each task receives the policy's source text and params, compiles the
policy once, and evaluates whole Arrow batches (no Python per row).

Input order
-----------
A DataFrame has no order of its own, and results depend on one: ``position`` in the
results, the label ``#N`` of a record when the schema has no ``id``, and the ties of a
``limit``'s ``order by`` (input order, as the language says). So the order is:

* ``position="col"``: the records' places are the values of that integer column (1 for
  the first record, each value used once); results report them as ``position``;
* else, the DataFrame's own order: partition by partition, each partition in the order of
  its rows (what ``monotonically_increasing_id`` numbers), counted from 1 — the order in
  which a file was read or ``createDataFrame`` was given its rows. This takes one extra,
  cheap job (the number of rows of each partition) and needs the DataFrame to compute the
  same partitions each time (as files and cached frames do).

``limit``
---------
With ``limit`` rules, the allocation needs the whole batch. It runs in three steps:

1. per-record phase, distributed: each record's outcome after its per-record rules, and
   for a record that takes part in a limit its compact candidate row (its index, its
   group, its ``order by`` key, its quantities);
2. the allocation over the candidates: when every limit is ``per`` the same field, each
   group is allocated on its own, in parallel (``groupBy(group).applyInArrow``); otherwise
   the candidates go to the driver and are allocated there in one ordered pass (they are
   small: a few numbers per record, and only for records in a limit's scope);
3. the allotments are joined back to the records, and each record's final result is made
   on the executors (its per-record rules evaluated again, with its allotment applied).

The results are those of the CLI: the same decisions, reasons and allocation facts.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

import pyarrow as pa

from . import _clearance
from ._clearance import Policy

__all__ = ["evaluate", "results_schema"]

# The column of generated positions (a record's 1-based place in the input).
_POSITION = "__clearance_position"
# The column of allotments joined to the records.
_ALLOTMENT = "__clearance_allotment"


def results_schema():
    """The Spark schema of the results (``clearance.results_schema()`` as a StructType,
    every field nullable: Spark keeps the children of a null struct as nulls)."""
    return _spark_schema(_clearance.results_schema())


def _source(policy: Union[Policy, str]) -> str:
    return policy.source if isinstance(policy, Policy) else policy


def evaluate(
    df,
    policy: Union[Policy, str],
    params: Optional[Mapping[str, Any]] = None,
    position: Optional[str] = None,
):
    """Evaluates ``policy`` (a ``clearance.Policy`` or its source text) over the Spark
    DataFrame ``df``; returns a Spark DataFrame of results, one row per record (sort by
    ``position`` for input order). ``params`` are set as in ``Policy.evaluate``;
    ``position`` names the column giving the input order (see the module's doc).

    Raises ``clearance.PolicyError`` on the driver, before any job runs, when the policy
    does not compile or ``params`` do not fit it.
    """
    text = _source(policy)
    path = policy.path if isinstance(policy, Policy) else "<policy>"
    compiled = _clearance.compile(text, path=path)
    compiled.params_used(params)  # the params' errors, here rather than in a task
    params = dict(params or {})
    if position is None:
        df, position = _with_positions(df), _POSITION
    schema = results_schema()
    if not compiled.has_limits:
        return df.mapInArrow(_records(text, params, position, None), schema)
    candidates = df.mapInArrow(
        _candidates(text, params, position), _spark_schema(_clearance.candidates_schema())
    )
    allotment_schema = _spark_schema(_clearance.allotments_schema())
    if compiled._allocates_per_group():
        allotments = candidates.groupBy("group").applyInArrow(
            _allocate(text, params), allotment_schema
        )
    else:
        # One ordered pass: on the driver.
        bound = compiled.with_params(params)
        table = pa.table(bound._allocate(candidates.toArrow()))
        allotments = df.sparkSession.createDataFrame(table.to_pandas(), schema=allotment_schema)
    allotments = allotments.select(
        allotments["index"].alias("__clearance_allotted"),
        allotments["allotment"].alias(_ALLOTMENT),
    )
    joined = df.join(allotments, df[position] == allotments["__clearance_allotted"], "left")
    return joined.mapInArrow(_records(text, params, position, _ALLOTMENT), schema)


def _spark_schema(arrow_schema: pa.Schema):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(_for_spark(arrow_schema))


def _for_spark(schema: pa.Schema) -> pa.Schema:
    """``schema`` as Spark holds it: every field nullable, unsigned integers signed."""
    return pa.schema([_nullable(f) for f in schema])


def _nullable(field: pa.Field) -> pa.Field:
    t = field.type
    if pa.types.is_struct(t):
        t = pa.struct([_nullable(t.field(i)) for i in range(t.num_fields)])
    elif pa.types.is_list(t):
        t = pa.list_(_nullable(t.value_field))
    elif pa.types.is_unsigned_integer(t):
        t = pa.int64()
    return pa.field(field.name, t, nullable=True)


def _with_positions(df):
    """``df`` with a column of 1-based positions in the DataFrame's own order."""
    from pyspark.sql import functions as F

    ids = df.withColumn("__clearance_id", F.monotonically_increasing_id())
    # The id is the partition's number in its upper 31 bits and the row's place in the
    # partition in the lower 33: a partition's first position follows the rows of the
    # partitions before it.
    part = F.shiftright(F.col("__clearance_id"), 33)
    counts = sorted(
        (r[0], r[1]) for r in ids.groupBy(part.alias("p")).count().collect()
    )
    bases, before = [], 0
    for p, n in counts:
        bases += [F.lit(p), F.lit(before - (p << 33) + 1)]
        before += n
    if not bases:
        return ids.withColumn(_POSITION, F.col("__clearance_id")).drop("__clearance_id")
    base = F.create_map(*bases)[part]
    return ids.withColumn(_POSITION, F.col("__clearance_id") + base).drop("__clearance_id")


def _records(text: str, params: dict, position: str, allotments: Optional[str]):
    """The per-task function of the results: compiles once, then evaluates each batch."""

    def run(batches):
        import pyarrow as pa

        from clearance import _clearance

        policy = _clearance.compile(text).with_params(params)
        schema = _for_spark(_clearance.results_schema())
        for batch in batches:
            out = policy._records(pa.Table.from_batches([batch]), position, allotments)
            for result in pa.RecordBatchReader.from_stream(out):
                yield result.cast(schema)

    return run


def _candidates(text: str, params: dict, position: str):
    def run(batches):
        import pyarrow as pa

        from clearance import _clearance

        policy = _clearance.compile(text).with_params(params)
        for batch in batches:
            out = policy._candidates(pa.Table.from_batches([batch]), position)
            yield from pa.RecordBatchReader.from_stream(out)

    return run


def _allocate(text: str, params: dict):
    def run(table):
        import pyarrow as pa

        from clearance import _clearance

        policy = _clearance.compile(text).with_params(params)
        return pa.table(policy._allocate(table))

    return run
