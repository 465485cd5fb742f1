//! `clearance test POLICY|DIR...`: runs the `test` blocks, reports failures and coverage.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{print_diagnostics, print_file_error, read_policy, EXIT_FAILED, EXIT_INVALID, EXIT_OK};
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
    let human = args.format == TestFormat::Human;
    let mut invalid = false;
    let mut reports = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let source = match read_policy(&name) {
            Ok(s) => s,
            Err(m) => {
                print_file_error(&m);
                invalid = true;
                continue;
            }
        };
        let policy = match clearance::compile(&source.text) {
            Ok(p) => p,
            Err(d) => {
                print_diagnostics(&d, &source);
                eprintln!("{name}: the policy has errors; its tests were not run");
                invalid = true;
                continue;
            }
        };
        let report = run_tests(&policy, args.filter.as_deref());
        if human {
            println!("{name}");
            for r in &report.results {
                println!("  {}  {}", if r.passed { "ok  " } else { "FAIL" }, r.name);
            }
            let failures: Vec<_> = report
                .results
                .iter()
                .filter(|r| !r.passed)
                .map(failure_diagnostic)
                .collect();
            if !failures.is_empty() {
                use std::io::Write;
                let _ = std::io::stdout().flush();
                print_diagnostics(&failures, &source);
            }
        }
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
        reports.push(FileReport {
            file: name,
            rules: policy.rules.len(),
            covered: report.covered.iter().filter(|c| **c).count(),
            tests: report.results,
            uncovered,
        });
    }
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
    let rules: usize = reports.iter().map(|f| f.rules).sum();
    let covered: usize = reports.iter().map(|f| f.covered).sum();
    let percent = if rules == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / rules as f64
    };
    let coverage_low = args.min_coverage.is_some_and(|min| percent < min);

    match args.format {
        TestFormat::Human => {
            println!();
            println!(
                "rule coverage: {covered} of {rules} rules fired in some test ({percent:.1}%)"
            );
            for f in &reports {
                for u in &f.uncovered {
                    println!(
                        "  not covered: rule `{}` at {}:{}:{}",
                        u.rule, f.file, u.line, u.column
                    );
                }
            }
            if let (true, Some(min)) = (coverage_low, args.min_coverage) {
                println!("coverage {percent:.1}% is below the minimum of {min}%");
            }
            println!("{passed} passed, {failed} failed");
        }
        TestFormat::Json => {
            let doc = JsonReport {
                files: reports,
                passed,
                failed,
                rules,
                covered,
                coverage_percent: (percent * 10.0).round() / 10.0,
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("serializable")
            );
        }
        TestFormat::Junit => print!("{}", junit(&reports)),
    }
    if invalid {
        EXIT_INVALID
    } else if failed > 0 || coverage_low {
        EXIT_FAILED
    } else {
        EXIT_OK
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
