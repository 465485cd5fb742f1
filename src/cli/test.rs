//! `clearance test POLICY|DIR...`: runs the `test` blocks, reports failures and coverage.

use std::io::{self, Write};

use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use serde::Serialize;

use super::input::SetArgs;
use super::test_report::{junit, tap, FileReport};
use super::{
    finish, json_diagnostics, policy_files, print_diagnostics, print_file_error, read_policy, Out,
    EXIT_FAILED, EXIT_INVALID, EXIT_OK,
};
use clearance::diagnostics::{Code, Diagnostic, JsonDiagnostic, SourceFile};
use clearance::span::Span;
use clearance::testing::{failure_diagnostic, run_source_tests, TestResult};

/// Run the `test` blocks of policy files and report which rules no test made fire.
#[derive(Args)]
#[command(after_help = "Examples:
  clearance test policies/                          # every .policy file under the folder
  clearance test quota.policy --filter licence      # only the tests whose name has `licence`
  clearance test policies/ --min-coverage 100       # fail unless every rule fired in a test
  clearance test policies/ --format junit > clearance-tests.xml   # for CI test reports
  clearance test policies/ --format tap | tap-parser              # TAP 14 consumers

A failure says what did not happen: expected `deny by end_use`: `end_use` did not fire;
fired: `embargo` (deny).

Exit codes: 0 every test passed (and coverage met); 1 a test failed or coverage is below
the minimum; 2 a policy has errors or cannot be read, or bad usage.")]
pub struct TestArgs {
    /// Policy files, or folders searched for `.policy` files.
    #[arg(required = true, value_name = "POLICY|DIR")]
    pub paths: Vec<String>,
    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// `human` (failures drawn against the source), `json`, `junit` (XML for CI systems)
    /// or `tap` (TAP 14); the reports give each test's file and line.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    #[command(flatten)]
    pub set: SetArgs,
    /// Fail when less than this share of the rules fired in some test (`90` or `90%`).
    #[arg(long, value_name = "PCT", value_parser = parse_min_coverage)]
    pub min_coverage: Option<Decimal>,
}

/// `90`, `90%` or `87.5%`: a share of the rules from 0 to 100.
fn parse_min_coverage(s: &str) -> Result<Decimal, String> {
    let digits = s.trim().strip_suffix('%').unwrap_or(s.trim());
    match Decimal::from_str_exact(digits) {
        Ok(d) if d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED => Ok(d.normalize()),
        _ => Err(format!(
            "`{s}` is not a share of the rules from 0 to 100, such as `90` or `90%`"
        )),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Human,
    Json,
    Junit,
    Tap,
}

#[derive(Serialize)]
struct JsonReport {
    files: Vec<FileReport>,
    passed: usize,
    failed: usize,
    rules: usize,
    covered: usize,
    /// `null` when a policy could not be run: its rules are not counted.
    coverage_percent: Option<f64>,
    /// Why the run failed, beyond failed tests (low coverage, policies with errors).
    problems: Vec<String>,
}

/// Rule coverage of the whole run, counted exactly.
struct Coverage {
    rules: usize,
    covered: usize,
}

impl Coverage {
    /// The share of rules covered, rounded to one place: `75.0`.
    fn percent(&self) -> Decimal {
        if self.rules == 0 {
            return Decimal::ONE_HUNDRED;
        }
        (Decimal::from(self.covered) * Decimal::ONE_HUNDRED / Decimal::from(self.rules)).round_dp(1)
    }

    /// Whether fewer rules fired than `min` percent of them (compared exactly).
    fn below(&self, min: Decimal) -> bool {
        Decimal::from(self.covered) * Decimal::ONE_HUNDRED < min * Decimal::from(self.rules)
    }
}

pub fn run(args: TestArgs) -> u8 {
    let files = match policy_files(&args.paths) {
        Ok(f) => f,
        Err(m) => {
            print_file_error(&m);
            return EXIT_INVALID;
        }
    };
    let human = args.format == TestFormat::Human;
    let params = args.set.params();
    let mut out = super::stdout();
    let mut written = Ok(());
    let mut reports = Vec::new();
    let mut problems = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let source = match read_policy(&name) {
            Ok(s) => s,
            Err(m) => {
                print_file_error(&m);
                let d = Diagnostic::error(Code::NotUtf8, m.clone(), Span::default(), "");
                let empty = SourceFile::new(name.as_str(), "");
                reports.push(FileReport::not_run(
                    name,
                    vec![JsonDiagnostic::new(&d, &empty)],
                ));
                problems.push(m);
                continue;
            }
        };
        let tested = run_source_tests(&source.text, &params, args.filter.as_deref());
        let report = match tested {
            Ok(r) => r,
            Err(d) => {
                super::input::print_compile_errors(&d, &source);
                let errors = d.len();
                let m = format!(
                    "{name}: the policy has {errors} error{}; its tests were not run",
                    if errors == 1 { "" } else { "s" }
                );
                to_stderr!("{m}");
                reports.push(FileReport::not_run(name, json_diagnostics(&d, &source)));
                problems.push(m);
                continue;
            }
        };
        let shown = match human {
            true => print_human_results(&mut out, &name, &report.results, &source),
            false => Ok(()),
        };
        reports.push(FileReport::new(name, report, &source));
        if let Err(e) = shown {
            // The output is closed (or broken): the remaining files are not run.
            written = Err(e);
            break;
        }
    }
    let invalid = !problems.is_empty();
    let passed: usize = reports
        .iter()
        .flat_map(|f| &f.tests)
        .filter(|t| t.passed)
        .count();
    let failed: usize = reports
        .iter()
        .flat_map(|f| &f.tests)
        .filter(|t| !t.passed)
        .count();
    let coverage = Coverage {
        rules: reports.iter().map(|f| f.rules).sum(),
        covered: reports.iter().map(|f| f.covered).sum(),
    };
    // Coverage means something only when every policy ran.
    let percent = (!invalid).then(|| coverage.percent());
    let coverage_low = match (percent, args.min_coverage) {
        (Some(p), Some(min)) if coverage.below(min) => {
            problems.push(format!(
                "rule coverage {p:.1}% is below the minimum of {min}%"
            ));
            true
        }
        _ => false,
    };
    let code = if invalid {
        EXIT_INVALID
    } else if failed > 0 || coverage_low {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    let coverage_problem = coverage_low.then(|| problems.last().map_or("", String::as_str));
    let written = written.and_then(|()| match args.format {
        TestFormat::Human => {
            writeln!(out)?;
            match percent {
                Some(p) => writeln!(
                    out,
                    "rule coverage: {} of {} rules fired in some test ({p:.1}%)",
                    coverage.covered, coverage.rules
                )?,
                None => writeln!(
                    out,
                    "rule coverage: not measured, because not every policy could be run"
                )?,
            }
            for f in &reports {
                for u in &f.uncovered {
                    writeln!(
                        out,
                        "  not covered: rule `{}` at {}:{}:{}",
                        u.rule, f.file, u.line, u.column
                    )?;
                }
            }
            if coverage_low {
                writeln!(out, "{}", problems.last().map_or("", String::as_str))?;
            }
            writeln!(out, "{passed} passed, {failed} failed")
        }
        TestFormat::Json => {
            let doc = JsonReport {
                files: reports,
                passed,
                failed,
                rules: coverage.rules,
                covered: coverage.covered,
                coverage_percent: percent.and_then(|p| format!("{p:.1}").parse().ok()),
                problems: problems.clone(),
            };
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)
        }
        TestFormat::Junit => out.write_all(junit(&reports, coverage_problem).as_bytes()),
        TestFormat::Tap => {
            let summary = format!("{passed} passed, {failed} failed");
            out.write_all(tap(&reports, coverage_problem, &summary).as_bytes())
        }
    });
    if coverage_low && !human && written.is_ok() {
        // Machine formats carry it too; a person reading the CI log sees it here.
        print_file_error(problems.last().map_or("", String::as_str));
    }
    finish(written, out, code)
}

fn print_human_results(
    out: &mut Out,
    name: &str,
    results: &[TestResult],
    source: &SourceFile,
) -> io::Result<()> {
    writeln!(out, "{name}")?;
    for r in results {
        writeln!(
            out,
            "  {}  {}",
            if r.passed { "ok  " } else { "FAIL" },
            r.name
        )?;
    }
    let failures: Vec<_> = results
        .iter()
        .filter(|r| !r.passed)
        .map(failure_diagnostic)
        .collect();
    // Flushed first: the drawings go to stderr and come after the list.
    out.flush()?;
    if !failures.is_empty() {
        print_diagnostics(&failures, source);
    }
    Ok(())
}
