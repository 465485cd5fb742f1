//! `clearance test POLICY|DIR...`: runs the `test` blocks, reports failures and coverage.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{
    print_diagnostics, print_file_error, read_policy, Out, EXIT_FAILED, EXIT_INVALID, EXIT_OK,
};
use clearance::diagnostics::{Diagnostic, SourceFile};
use clearance::span::line_col;
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
    /// Fail when less than this share of the rules (in percent) fired in some test.
    #[arg(long, value_name = "PCT")]
    pub min_coverage: Option<f64>,
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
    coverage_percent: f64,
}

fn policy_files(paths: &[String]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if p.extension().is_some_and(|e| e == "policy") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if path.is_dir() {
            walk(path, &mut files).map_err(|e| format!("cannot read `{p}`: {e}"))?;
        } else {
            files.push(path.to_path_buf());
        }
    }
    Ok(files)
}

/// Totals over every file's report.
struct Totals {
    passed: usize,
    failed: usize,
    rules: usize,
    covered: usize,
    percent: f64,
}

impl Totals {
    fn of(reports: &[FileReport]) -> Self {
        let tests = || reports.iter().flat_map(|f| &f.tests);
        let rules: usize = reports.iter().map(|f| f.rules).sum();
        let covered: usize = reports.iter().map(|f| f.covered).sum();
        Totals {
            passed: tests().filter(|t| t.passed).count(),
            failed: tests().filter(|t| !t.passed).count(),
            rules,
            covered,
            percent: if rules == 0 {
                100.0
            } else {
                covered as f64 * 100.0 / rules as f64
            },
        }
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
    if files.is_empty() {
        print_file_error("no .policy files found");
        return EXIT_INVALID;
    }
    let mut out = super::stdout();
    let mut invalid = false;
    let mut reports = Vec::new();
    let mut written = Ok(());
    for path in &files {
        let tested = test_file(&args, path);
        let shown = show(&mut out, args.format == TestFormat::Human, &tested);
        match tested {
            Tested::Ran { report, .. } => reports.push(report),
            Tested::Unreadable(_) | Tested::Invalid(..) => invalid = true,
        }
        if let Err(e) = shown {
            // The output is closed (or broken): the remaining files are not run.
            written = Err(e);
            break;
        }
    }
    let totals = Totals::of(&reports);
    let coverage_low = args.min_coverage.is_some_and(|min| totals.percent < min);
    let code = if invalid {
        EXIT_INVALID
    } else if totals.failed > 0 || coverage_low {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    let written = written.and_then(|()| match args.format {
        TestFormat::Human => human_totals(&mut out, &args, &reports, &totals),
        TestFormat::Json => {
            let doc = JsonReport {
                files: reports,
                passed: totals.passed,
                failed: totals.failed,
                rules: totals.rules,
                covered: totals.covered,
                coverage_percent: (totals.percent * 10.0).round() / 10.0,
            };
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)
        }
        TestFormat::Junit => out.write_all(junit(&reports).as_bytes()),
    });
    super::finish(written, out, code)
}

/// One file, tested.
enum Tested {
    Ran {
        report: FileReport,
        /// The failed tests, as diagnostics against the source.
        failures: Vec<Diagnostic>,
        source: SourceFile,
    },
    Unreadable(String),
    Invalid(Vec<Diagnostic>, SourceFile),
}

/// Runs one file's tests (printing nothing).
fn test_file(args: &TestArgs, path: &Path) -> Tested {
    let name = path.display().to_string();
    let source = match read_policy(&name) {
        Ok(s) => s,
        Err(m) => return Tested::Unreadable(m),
    };
    let policy = match clearance::compile(&source.text) {
        Ok(p) => p,
        Err(d) => return Tested::Invalid(d, source),
    };
    let report = run_tests(&policy, args.filter.as_deref());
    let failures = report
        .results
        .iter()
        .filter(|r| !r.passed)
        .map(failure_diagnostic)
        .collect();
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
    Tested::Ran {
        report: FileReport {
            file: name,
            rules: policy.rules.len(),
            covered: report.covered.iter().filter(|c| **c).count(),
            tests: report.results,
            uncovered,
        },
        failures,
        source,
    }
}

/// Prints a tested file: problems on stderr; in the human format its tests on stdout
/// and their failures on stderr. Stdout is flushed before stderr is written.
fn show(out: &mut Out, human: bool, tested: &Tested) -> io::Result<()> {
    match tested {
        Tested::Unreadable(message) => {
            out.flush()?;
            print_file_error(message);
        }
        Tested::Invalid(diagnostics, source) => {
            out.flush()?;
            print_diagnostics(diagnostics, source);
            to_stderr!(
                "{}: the policy has errors; its tests were not run",
                source.name
            );
        }
        Tested::Ran {
            report,
            failures,
            source,
        } if human => {
            writeln!(out, "{}", report.file)?;
            for r in &report.tests {
                let status = if r.passed { "ok  " } else { "FAIL" };
                writeln!(out, "  {status}  {}", r.name)?;
            }
            if !failures.is_empty() {
                out.flush()?;
                print_diagnostics(failures, source);
            }
        }
        Tested::Ran { .. } => {}
    }
    Ok(())
}

fn human_totals(
    out: &mut Out,
    args: &TestArgs,
    reports: &[FileReport],
    t: &Totals,
) -> io::Result<()> {
    let percent = t.percent;
    writeln!(out)?;
    writeln!(
        out,
        "rule coverage: {} of {} rules fired in some test ({percent:.1}%)",
        t.covered, t.rules
    )?;
    for f in reports {
        for u in &f.uncovered {
            writeln!(
                out,
                "  not covered: rule `{}` at {}:{}:{}",
                u.rule, f.file, u.line, u.column
            )?;
        }
    }
    if let Some(min) = args.min_coverage.filter(|min| percent < *min) {
        writeln!(out, "coverage {percent:.1}% is below the minimum of {min}%")?;
    }
    writeln!(out, "{} passed, {} failed", t.passed, t.failed)
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

fn junit(reports: &[FileReport]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for f in reports {
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
    out + "</testsuites>\n"
}
