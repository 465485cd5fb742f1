"""compile(), PolicyError and its diagnostics, check(), test() and params."""

import datetime
import decimal

import pytest

import clearance
from conftest import POLICIES, policy_text

BAD = "policy \"q\"\nschema { quota: percent }\nrule low: deny when quota < 30\n"


def test_a_compile_error_carries_its_diagnostics():
    with pytest.raises(clearance.PolicyError) as caught:
        clearance.compile(BAD, path="q.policy")
    (d,) = caught.value.diagnostics
    assert d.code == "clearance::type::percent_with_number"
    assert d.severity == "error"
    assert d.message == "cannot compare a percent with a plain number using `<`"
    assert (d.line, d.column) == (3, 29)
    assert d.help == "write the number as a percent: `30%`"
    assert d.file == "q.policy"


def test_the_error_text_is_the_report_the_cli_prints(cli, tmp_path):
    import subprocess

    path = tmp_path / "q.policy"
    path.write_text(BAD)
    with pytest.raises(clearance.PolicyError) as caught:
        clearance.compile(BAD, path=str(path))
    done = subprocess.run([cli, "check", str(path)], capture_output=True, text=True,
                          env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    # The same report; `check` then counts what it found.
    assert done.stderr == str(caught.value) + "\n1 error found\n"
    assert str(caught.value).startswith("clearance::type::percent_with_number")
    assert isinstance(caught.value, ValueError)


def test_every_error_of_a_policy_is_reported():
    text = "policy \"q\"\nschema { n: int }\nrule a: deny when m > 1\nrule b: deny when k > 1\n"
    with pytest.raises(clearance.PolicyError) as caught:
        clearance.compile(text)
    codes = [d.code for d in caught.value.diagnostics]
    assert codes == ["clearance::name::unknown_field", "clearance::name::unknown_field"]
    assert [d.line for d in caught.value.diagnostics] == [3, 4]


def test_check_returns_the_lint_warnings():
    policy = clearance.compile(policy_text("h200_first_batch"), path="h200.policy")
    (w,) = policy.check()
    assert w.code == "clearance::lint::warn_without_because"
    assert w.severity == "warning"
    assert w.message == "the warning `big_order` has no `because`"
    assert (w.line, w.column) == (44, 6)
    assert clearance.compile("policy \"p\"\nschema { n: int }\nrule r: deny when n > 1\n").check() == []


def test_the_tests_of_a_policy_run_with_coverage():
    report = clearance.compile(policy_text("h200_first_batch")).test()
    assert (report.passed, report.failed) == (13, 0)
    assert report.ok and report.uncovered == []
    assert len(report.coverage) == 11 and all(report.coverage.values())
    first = report.cases[0]
    assert first.name == "a tier-1 firm with enough domestic share is cleared"
    assert first.ok and first.message == "" and first.line > 1


def test_a_failed_test_says_what_did_not_happen():
    text = ("policy \"t\"\nschema { n: int }\nrule r: deny when n > 1\nrule s: warn when n > 9\n"
            "test \"big is allowed\" { given { n: 5 } expect allow }\n")
    report = clearance.compile(text, path="t.policy").test()
    assert (report.passed, report.failed) == (0, 1)
    (case,) = report.cases
    assert not case.ok and case.line == 5
    assert case.message == "expected `allow`: got `deny`; fired: `r` (deny)"
    assert 'test "big is allowed" failed' in case.report
    assert report.coverage == {"r": True, "s": False}
    assert report.uncovered == ["s"]
    assert clearance.compile(text).test(filter="nothing").cases == []


PARAMS = ("policy \"p\"\nschema { n: int }\nparam cap: int = 10\nparam share: percent = 5%\n"
          "param rate: decimal = 1.5\nparam on: date = 2026-01-01\nparam who: text = \"x\"\n"
          "param strict: bool = false\n"
          "rule r: deny when n > cap and strict\n")


def test_params_take_python_values_written_as_set_would():
    policy = clearance.compile(PARAMS)
    used = dict(policy.params_used({
        "cap": 500_000, "share": "25%", "rate": decimal.Decimal("2.25"),
        "on": datetime.date(2026, 2, 1), "who": "Alpha Corp", "strict": True,
    }))
    assert used == {"cap": "500000", "share": "25%", "rate": "2.25", "on": "2026-02-01",
                    "who": "Alpha Corp", "strict": true_text()}
    assert dict(policy.params_used({"rate": decimal.Decimal("1E+1")}))["rate"] == "10"


def true_text():
    return "true"


def test_a_wrong_param_is_a_policy_error_with_the_message_of_set():
    policy = clearance.compile(PARAMS, path="p.policy")
    with pytest.raises(clearance.PolicyError) as caught:
        policy.params_used({"cpa": 1})
    (d,) = caught.value.diagnostics
    assert d.code == "clearance::param::unknown"
    assert d.message == "there is no param `cpa` to set"
    assert d.help == "did you mean `cap`?"
    assert d.line is None and d.column is None
    with pytest.raises(ValueError) as caught:
        policy.params_used({"cap": "lots"})
    (d,) = caught.value.diagnostics
    assert d.message == "the param `cap` is an `int`, and `lots` is not one"
    assert d.line == 3
    with pytest.raises(clearance.PolicyError, match="`share` is a `percent`, and `0.25`"):
        policy.params_used({"share": decimal.Decimal("0.25")})
    with pytest.raises(clearance.PolicyError, match="`today` is a date, and `someday`"):
        policy.params_used({"today": "someday"})


def test_a_float_or_a_datetime_is_refused_not_rounded():
    policy = clearance.compile(PARAMS)
    with pytest.raises(TypeError, match="`rate` was given a `float`"):
        policy.params_used({"rate": 1.5})
    with pytest.raises(TypeError, match="`on` was given a `datetime`"):
        policy.params_used({"on": datetime.datetime(2026, 1, 1)})
    with pytest.raises(TypeError, match="params must be a dict"):
        policy.params_used([("cap", 1)])


def test_a_param_without_default_is_asked_for_when_the_policy_runs():
    text = "policy \"p\"\nschema { n: int }\nparam cap: int\nrule r: deny when n > cap\n"
    policy = clearance.compile(text, path="p.policy")  # checks without its params
    with pytest.raises(clearance.PolicyError, match="the param `cap` has no default"):
        policy.params_used()
    assert dict(policy.params_used({"cap": 3})) == {"cap": "3"}


def test_the_bundled_policies_compile_and_pass_their_tests():
    for path in sorted(POLICIES.glob("*.policy")):
        report = clearance.compile(path.read_text(), path=str(path)).test()
        assert report.failed == 0 and report.passed > 0, path
