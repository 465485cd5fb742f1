"""Shared fixtures: the bundled policies and the CLI built from this checkout.

``CLEARANCE_CLI`` names the `clearance` binary to compare against (.ci/run builds it);
without it, the tests build it with cargo (the target dir cargo is configured with).
"""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
POLICIES = ROOT / "policies"
DATA = POLICIES / "data"
# The bundled policies and a day to run them on (the H200 policy uses `today`).
TODAY = "2026-03-15"
SAMPLES = ["domestic_quota", "export_control", "h200_first_batch"]


def _build_cli() -> str:
    out = subprocess.run(
        ["cargo", "build", "--quiet", "--message-format=json", "--bin", "clearance"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
            return msg["executable"]
    raise RuntimeError("cargo built no `clearance` binary")


@pytest.fixture(scope="session")
def cli() -> str:
    return os.environ.get("CLEARANCE_CLI") or _build_cli()


def policy_text(name: str) -> str:
    return (POLICIES / f"{name}.policy").read_text()


def run_cli(cli: str, policy: pathlib.Path, data: pathlib.Path, *args: str) -> list:
    """`clearance eval --format ndjson`: one JSON object per record, in input order."""
    done = subprocess.run(
        [cli, "eval", str(policy), "--data", str(data), "--format", "ndjson",
         "--fail-on", "none", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
