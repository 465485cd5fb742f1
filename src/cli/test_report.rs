//! The machine-readable reports of `clearance test`: what each file's tests did (with
//! each test's file and line), as JSON, JUnit XML or TAP 14.

use serde::Serialize;

use clearance::diagnostics::{JsonDiagnostic, SourceFile};
use clearance::span::line_col;
use clearance::testing::{describe_actual, Mismatch, TestReport, TestResult};

#[derive(Serialize)]
pub struct FileReport {
    pub file: String,
    pub tests: Vec<TestEntry>,
    pub rules: usize,
    pub covered: usize,
    pub uncovered: Vec<Uncovered>,
    /// Why the file's tests were not run (it cannot be read, or the policy has errors).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<JsonDiagnostic>,
}

/// One test, where it is, and how it went.
#[derive(Serialize)]
pub struct TestEntry {
    pub name: String,
    pub file: String,
    /// Where the `test` item starts (1-based; the column in characters).
    pub line: usize,
    pub column: usize,
    pub passed: bool,
    /// The records whose outcome differs from the expectation.
    pub failures: Vec<Mismatch>,
}

impl TestEntry {
    /// The failures in one line each: "record 2: expected `allow`: got `waitlist`; …"
    /// (without the record for a test of one record).
    pub fn messages(&self) -> Vec<String> {
        let batch = self.failures.len() > 1 || self.failures.iter().any(|m| m.record > 1);
        self.failures
            .iter()
            .map(|m| match batch {
                true => format!("record {}: {}", m.record, m.message),
                false => m.message.clone(),
            })
            .collect()
    }
}

#[derive(Serialize)]
pub struct Uncovered {
    pub rule: String,
    pub line: usize,
    pub column: usize,
}

impl FileReport {
    pub fn not_run(file: String, errors: Vec<JsonDiagnostic>) -> FileReport {
        FileReport {
            file,
            tests: Vec::new(),
            rules: 0,
            covered: 0,
            uncovered: Vec::new(),
            errors,
        }
    }

    /// The report of a file whose tests ran.
    pub fn new(file: String, report: TestReport, source: &SourceFile) -> FileReport {
        let uncovered: Vec<Uncovered> = report
            .rules
            .iter()
            .zip(&report.covered)
            .filter(|(_, c)| !**c)
            .map(|((name, span), _)| {
                let (line, column) = line_col(&source.text, span.start);
                Uncovered {
                    rule: name.clone(),
                    line,
                    column,
                }
            })
            .collect();
        let tests = report
            .results
            .into_iter()
            .map(|t| entry(&file, t, source))
            .collect();
        FileReport {
            rules: report.rules.len(),
            covered: report.covered.iter().filter(|c| **c).count(),
            file,
            tests,
            uncovered,
            errors: Vec::new(),
        }
    }
}

fn entry(file: &str, t: TestResult, source: &SourceFile) -> TestEntry {
    let (line, column) = line_col(&source.text, t.item_span.start);
    TestEntry {
        name: t.name,
        file: file.to_string(),
        line,
        column,
        passed: t.passed,
        failures: t.failures,
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
            '\n' => "&#10;".into(),
            '\t' => "&#9;".into(),
            // XML 1.0 has no way to write other control characters, even as references.
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// Element text: line breaks kept as they are.
fn xml_text(s: &str) -> String {
    xml(s).replace("&#10;", "\n")
}

/// The JUnit XML report. Each test is a `testcase` with the policy as `classname` and
/// its `file` and `line`; a policy that does not compile is one test in error, and a
/// coverage below the minimum one failed test.
pub fn junit(reports: &[FileReport], coverage_problem: Option<&str>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for f in reports {
        let file = xml(&f.file);
        if !f.errors.is_empty() {
            let message = format!(
                "the policy has {} error{}; its tests were not run",
                f.errors.len(),
                if f.errors.len() == 1 { "" } else { "s" }
            );
            let details: Vec<String> = f
                .errors
                .iter()
                .map(|d| {
                    format!(
                        "{}:{}:{}: {} [{}]",
                        f.file, d.line, d.column, d.message, d.code
                    )
                })
                .collect();
            let line = f.errors.first().map_or(1, |d| d.line.max(1));
            out += &format!(
                "  <testsuite name=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase name=\"the policy compiles\" classname=\"{file}\" file=\"{file}\" line=\"{line}\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n  </testsuite>\n",
                xml(&message),
                xml_text(&details.join("\n")),
            );
            continue;
        }
        let failures = f.tests.iter().filter(|t| !t.passed).count();
        out += &format!(
            "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{failures}\">\n",
            f.tests.len()
        );
        for t in &f.tests {
            out += &format!(
                "    <testcase name=\"{}\" classname=\"{file}\" file=\"{file}\" line=\"{}\"",
                xml(&t.name),
                t.line
            );
            if t.passed {
                out += "/>\n";
                continue;
            }
            out += ">\n";
            for (m, message) in t.failures.iter().zip(t.messages()) {
                out += &format!(
                    "      <failure message=\"{}\">{}</failure>\n",
                    xml(&message),
                    xml_text(&describe_actual(&m.actual))
                );
            }
            out += "    </testcase>\n";
        }
        out += "  </testsuite>\n";
    }
    if let Some(message) = coverage_problem {
        out += &format!(
            "  <testsuite name=\"rule coverage\" tests=\"1\" failures=\"1\">\n    <testcase name=\"minimum rule coverage\" classname=\"rule coverage\">\n      <failure message=\"{m}\">{m}</failure>\n    </testcase>\n  </testsuite>\n",
            m = xml(message)
        );
    }
    out + "</testsuites>\n"
}

/// A TAP 14 test point's description: `#` and `\` escaped, on one line.
fn tap_description(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    one_line.replace('\\', "\\\\").replace('#', "\\#")
}

/// A YAML scalar: a JSON string is a YAML double-quoted one.
fn yaml(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The TAP 14 report: the plan, one test point per test (a policy that does not compile
/// is one failed point, a coverage below the minimum another), and for each failure a
/// YAML block with the message, where the test is, and what each record got.
pub fn tap(reports: &[FileReport], coverage_problem: Option<&str>, summary: &str) -> String {
    let points: usize = reports
        .iter()
        .map(|f| {
            if f.errors.is_empty() {
                f.tests.len()
            } else {
                1
            }
        })
        .sum::<usize>()
        + usize::from(coverage_problem.is_some());
    let mut out = format!("TAP version 14\n1..{points}\n");
    let mut n = 0;
    for f in reports {
        out += &format!("# {}\n", tap_description(&f.file));
        if !f.errors.is_empty() {
            n += 1;
            out += &format!(
                "not ok {n} - {}: the policy compiles\n  ---\n  message: {}\n  severity: fail\n  at:\n    file: {}\n    line: {}\n  errors:\n",
                tap_description(&f.file),
                yaml(&format!("the policy has {} error(s); its tests were not run", f.errors.len())),
                yaml(&f.file),
                f.errors.first().map_or(1, |d| d.line.max(1)),
            );
            for d in &f.errors {
                out += &format!(
                    "    - code: {}\n      message: {}\n      line: {}\n      column: {}\n",
                    yaml(d.code.as_str()),
                    yaml(&d.message),
                    d.line,
                    d.column
                );
            }
            out += "  ...\n";
            continue;
        }
        for t in &f.tests {
            n += 1;
            let status = if t.passed { "ok" } else { "not ok" };
            out += &format!("{status} {n} - {}\n", tap_description(&t.name));
            if !t.passed {
                out += &tap_failure(t);
            }
        }
    }
    if let Some(message) = coverage_problem {
        n += 1;
        out += &format!(
            "not ok {n} - minimum rule coverage\n  ---\n  message: {}\n  severity: fail\n  ...\n",
            yaml(message)
        );
    }
    out + &format!("# {}\n", tap_description(summary))
}

fn tap_failure(t: &TestEntry) -> String {
    let messages = t.messages();
    let mut out = format!(
        "  ---\n  message: {}\n  severity: fail\n  at:\n    file: {}\n    line: {}\n    column: {}\n  failures:\n",
        yaml(&messages.join("\n")),
        yaml(&t.file),
        t.line,
        t.column
    );
    for m in &t.failures {
        let fired: Vec<String> = m
            .actual
            .rules
            .iter()
            .chain(&m.actual.warnings)
            .map(|f| yaml(&f.to_string()))
            .collect();
        out += &format!(
            "    - record: {}\n      expected: {}\n      got: {}\n      fired: [{}]\n",
            m.record,
            yaml(&m.expected),
            yaml(m.actual.decision.as_str()),
            fired.join(", ")
        );
        if !m.did_not_fire.is_empty() {
            let names: Vec<String> = m.did_not_fire.iter().map(|r| yaml(r)).collect();
            out += &format!("      did_not_fire: [{}]\n", names.join(", "));
        }
    }
    out + "  ...\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tap_descriptions_escape_hashes_and_backslashes() {
        assert_eq!(tap_description("a # b \\ c\nd"), "a \\# b \\\\ c d");
    }

    #[test]
    fn xml_escapes_markup_and_control_characters() {
        assert_eq!(
            xml("a<b & \"c\"\n\u{1b}"),
            "a&lt;b &amp; &quot;c&quot;&#10;\\u{1b}"
        );
        assert_eq!(xml_text("a\nb"), "a\nb");
    }
}
