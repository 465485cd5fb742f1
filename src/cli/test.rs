//! `clearance test POLICY|DIR...`: runs the `test` blocks, reports failures and coverage.

use std::io::{self, Write};

use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{
    finish, json_diagnostics, policy_files, print_diagnostics, print_file_error, read_policy, Out,
    EXIT_FAILED, EXIT_INVALID, EXIT_OK,
};
use clearance::diagnostics::{Code, Diagnostic, JsonDiagnostic, SourceFile};
use clearance::span::{line_col, Span};
use clearance::testing::{describe_actual, failure_diagnostic, run_tests, TestResult};

/// Run the `test` blocks of policy files and report which rules no test made fire.
#[derive(Args)]
pub struct TestArgs {
    /// Policy files, or folders searched for `.policy` files.
    #[arg(required = true, value_name = "POLICY|DIR")]
    pub paths: Vec<String>,
    /// Run only the tests whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// `human` (failures drawn against the source), `json`, or `junit` (XML for CI systems).
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
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
}

#[derive(Serialize)]
struct FileReport {
    file: String,
    tests: Vec<TestResult>,
    rules: usize,
    covered: usize,
    uncovered: Vec<Uncovered>,
    /// Why the file's tests were not run (it cannot be read, or the policy has errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<JsonDiagnostic>,
}

impl FileReport {
    fn not_run(file: String, errors: Vec<JsonDiagnostic>) -> FileReport {
        FileReport {
            file,
            tests: Vec::new(),
            rules: 0,
            covered: 0,
            uncovered: Vec::new(),
            errors,
        }
    }
}

#[derive(Serialize)]
struct Uncovered {
    rule: String,
    line: usize,
    column: usize,
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
        let policy = match clearance::compile(&source.text) {
            Ok(p) => p,
            Err(d) => {
                print_diagnostics(&d, &source);
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
        let report = run_tests(&policy, args.filter.as_deref());
        let shown = match human {
            true => print_human_results(&mut out, &name, &report.results, &source),
            false => Ok(()),
        };
        reports.push(file_report(name, &policy, report, &source));
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
        TestFormat::Junit => out.write_all(junit(&reports, &problems, coverage_low).as_bytes()),
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

fn file_report(
    file: String,
    policy: &clearance::Policy,
    report: clearance::testing::TestReport,
    source: &SourceFile,
) -> FileReport {
    let uncovered: Vec<Uncovered> = policy
        .rules
        .iter()
        .zip(&report.covered)
        .filter(|(_, c)| !**c)
        .map(|(r, _)| {
            let (line, column) = line_col(&source.text, r.name_span.start);
            Uncovered {
                rule: r.name.clone(),
                line,
                column,
            }
        })
        .collect();
    FileReport {
        file,
        rules: policy.rules.len(),
        covered: report.covered.iter().filter(|c| **c).count(),
        tests: report.results,
        uncovered,
        errors: Vec::new(),
    }
}

fn xml(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            '\'' => "&apos;".into(),
            c if c.is_control() && c != '\n' && c != '\t' => format!("&#x{:x};", c as u32),
            c => c.to_string(),
        })
        .collect()
}

fn junit(reports: &[FileReport], problems: &[String], coverage_low: bool) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for f in reports {
        if !f.errors.is_empty() {
            // A policy that does not compile is one test in error: CI shows why.
            let message = format!(
                "the policy has {} error(s); its tests were not run",
                f.errors.len()
            );
            let details: Vec<String> = f
                .errors
                .iter()
                .map(|d| {
                    format!(
                        "{}:{}:{}: {} [{}]",
                        f.file,
                        d.line,
                        d.column,
                        d.message,
                        d.code.as_str()
                    )
                })
                .collect();
            out += &format!(
                "  <testsuite name=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase name=\"the policy compiles\" classname=\"{file}\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n  </testsuite>\n",
                xml(&message),
                xml(&details.join("\n")),
                file = xml(&f.file),
            );
            continue;
        }
        let failures = f.tests.iter().filter(|t| !t.passed).count();
        out += &format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">\n",
            xml(&f.file),
            f.tests.len()
        );
        for t in &f.tests {
            out += &format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                xml(&t.name),
                xml(&f.file)
            );
            if t.passed {
                out += "/>\n";
            } else {
                out += ">\n";
                for m in &t.failures {
                    out += &format!(
                        "      <failure message=\"record {}: expected {}, got {}\">{}</failure>\n",
                        m.record,
                        xml(&m.expected),
                        m.actual.decision.as_str(),
                        xml(&describe_actual(&m.actual))
                    );
                }
                out += "    </testcase>\n";
            }
        }
        out += "  </testsuite>\n";
    }
    if coverage_low {
        // Low coverage fails the run, so it is a failing test case of its own.
        let message = problems.last().map_or("", String::as_str);
        out += &format!(
            "  <testsuite name=\"rule coverage\" tests=\"1\" failures=\"1\">\n    <testcase name=\"minimum rule coverage\" classname=\"rule coverage\">\n      <failure message=\"{m}\">{m}</failure>\n    </testcase>\n  </testsuite>\n",
            m = xml(message)
        );
    }
    out + "</testsuites>\n"
}
