"""A deterministic generated batch of H200 applications, as NDJSON (for the CLI) and as
Arrow (for Python and Spark), and policies with `limit ... per` for the Spark paths."""

import datetime
import decimal
import json
import random

FIRMS = ["Alpha Compute", "Beta Cloud", "Gamma Labs", "Delta Robotics", "Epsilon AI",
         "Zeta Systems", "Eta Vision", "Theta Data", "Iota Health", "Kappa Motors"]
TIERS = ["tier1", "tier2", "tier3"]
ITEMS = ["H200", "H20", "B30A", "MI308"]
START = datetime.date(2026, 1, 1)


def h200_records(n: int, seed: int = 1):
    """`n` records of the H200 policy's schema, as Python values (percent as text)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        note = None if rng.random() < 0.8 else rng.choice(["urgent", "renewal", "check"])
        out.append({
            "id": f"G-{i + 1:07d}",
            "firm": rng.choice(FIRMS),
            "tier": rng.choice(TIERS),
            "action": "import" if rng.random() < 0.9 else "export",
            "item": rng.choice(ITEMS),
            "units": rng.choice([500, 2_000, 10_000, 40_000, 80_000, 150_000, 250_000,
                                 450_000]),
            "domestic_quota": f"{rng.randint(0, 80)}%",
            "relative_perf": decimal.Decimal(rng.choice(["0.8", "1.0", "1.5", "6.0"])),
            "us_license": rng.random() < 0.85,
            "customs_hold": rng.random() < 0.05,
            "applied_on": START + datetime.timedelta(days=rng.randint(0, 120)),
            "note": note,
        })
    return out


def to_ndjson(records, path):
    with open(path, "w") as f:
        for r in records:
            obj = dict(r)
            obj["relative_perf"] = _Raw(str(r["relative_perf"]))
            obj["applied_on"] = r["applied_on"].isoformat()
            f.write(_dumps(obj) + "\n")


class _Raw(str):
    """A JSON number written as its exact text."""


def _dumps(obj) -> str:
    parts = []
    for k, v in obj.items():
        text = str(v) if isinstance(v, _Raw) else json.dumps(v)
        parts.append(f"{json.dumps(k)}: {text}")
    return "{" + ", ".join(parts) + "}"


# The H200 policy's rules with a `limit` per firm (allocated per group), and with two
# limits of different groups (one ordered pass).
PER_FIRM = """policy "h200-per-firm" default allow

schema {
  id: text
  firm: text
  tier: tier1 | tier2 | tier3
  action: import | export
  item: H200 | H20 | B30A | MI308
  units: int
  domestic_quota: percent
  relative_perf: decimal
  us_license: bool
  customs_hold: bool
  applied_on: date
  note: text?
}

param firm_cap: int = 400_000

rule domestic_first:
  require domestic_quota >= 30% before import H200
  because "has {domestic_quota}"

rule licence:
  deny import when relative_perf > 1.0 and not us_license

rule customs:
  deny import when customs_hold

rule big_order:
  warn import when units > 200_000 and domestic_quota < 50%

rule per_firm:
  limit import H200 to firm_cap units per firm order by applied_on else waitlist
  because "{firm}'s H200 share is used"

rule per_firm_count:
  limit import [H200, H20] to 300 records per firm order by applied_on else deny
"""

TWO_GROUPINGS = PER_FIRM.replace(
    'rule per_firm_count:\n  limit import [H200, H20] to 300 records per firm',
    'rule per_tier:\n  limit import [H200, H20] to 900_000 units per tier',
).replace('"h200-per-firm"', '"h200-two-groupings"')
