"""Clearance policies in Python.

Compile a policy, check it, run its tests and evaluate it over any Arrow data: a pyarrow
Table or RecordBatchReader, a polars DataFrame, a DuckDB result (anything with
``__arrow_c_stream__``) or a pandas DataFrame. Results come back as a ``pyarrow.Table``
with the columns of ``clearance eval``'s results. ``clearance.spark`` evaluates a Spark
DataFrame on the executors.

>>> import clearance
>>> policy = clearance.compile('policy "p"\\nschema { n: int }\\nrule big: deny when n > 1\\n')
>>> policy.name
'p'
"""

from ._clearance import (
    Diagnostic,
    Policy,
    PolicyError,
    TestCase,
    TestReport,
    compile,
    results_schema,
)

__all__ = [
    "Diagnostic",
    "Policy",
    "PolicyError",
    "TestCase",
    "TestReport",
    "compile",
    "results_schema",
]
