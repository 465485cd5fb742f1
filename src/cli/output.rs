//! Output formats for people (table) and spreadsheets (CSV). Values from data are
//! escaped: control characters never reach a terminal raw, and CSV cells cannot
//! start a spreadsheet formula.

use std::borrow::Cow;
use std::io::Write;

use clearance::outcome::{fact_lines, undecided, Decision};
use clearance::run::{Report, Summary};

pub use clearance::value::escape_control;

pub struct TableOut {
    color: bool,
}

impl TableOut {
    pub fn new(color: bool) -> Self {
        TableOut { color }
    }

    fn paint(&self, d: Decision, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match d {
            Decision::Allow => "32",
            Decision::Deny => "31",
            Decision::Waitlist => "33",
            Decision::Error => "35;1",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    pub fn write(&self, out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
        // Column widths need every label: the table is drawn once evaluation is done.
        let labels: Vec<Cow<str>> = report
            .results
            .iter()
            .map(|r| escape_control(&r.record))
            .collect();
        let w = labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max("RECORD".len());
        writeln!(out, "{}  {:<8}  REASONS", pad("RECORD", w), "DECISION")?;
        for (r, label) in report.results.iter().zip(&labels) {
            let d = r.outcome.decision;
            let mut lines: Vec<String> = Vec::new();
            for e in &r.outcome.errors {
                let at = r.line.map(|l| format!("line {l}: ")).unwrap_or_default();
                let rule = e
                    .rule
                    .as_ref()
                    .map(|r| format!("{r}: "))
                    .unwrap_or_default();
                lines.push(format!("{at}{rule}{}", escape_control(&e.message)));
            }
            lines.extend(r.outcome.rules.iter().map(|f| f.to_string()));
            lines.extend(fact_lines(&r.outcome.allocations));
            lines.extend(r.outcome.warnings.iter().map(|f| f.to_string()));
            if lines.is_empty() {
                lines.push(undecided(d));
            }
            let gap = " ".repeat(8 - d.as_str().len());
            writeln!(
                out,
                "{}  {}{gap}  {}",
                pad(label, w),
                self.paint(d, d.as_str()),
                lines[0]
            )?;
            for l in &lines[1..] {
                writeln!(out, "{}  {:<8}  {l}", pad("", w), "")?;
            }
        }
        writeln!(out)?;
        writeln!(out, "{}", summary_line(&report.summary))?;
        for line in allocation_lines(&report.summary) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}

/// `s` padded with spaces to `width` characters. (A `{:<w$}` width is limited to
/// 65,535, and a record id from the data may be longer.)
pub fn pad(s: &str, width: usize) -> String {
    let mut padded = String::with_capacity(s.len() + width);
    padded.push_str(s);
    padded.extend(std::iter::repeat_n(
        ' ',
        width.saturating_sub(s.chars().count()),
    ));
    padded
}

/// Neutralises a cell that a spreadsheet would run as a formula.
pub use clearance::run::render::csv_cell;

/// `250 records: 180 allow, 40 deny, 20 waitlist, 10 error (12 with warnings)`
pub fn summary_line(s: &Summary) -> String {
    format!(
        "{} record{}: {} allow, {} deny, {} waitlist, {} error ({} with warnings)",
        s.records,
        if s.records == 1 { "" } else { "s" },
        s.allow,
        s.deny,
        s.waitlist,
        s.error,
        s.warned
    )
}

/// One line per `limit` rule and group: cap, admitted, refused, remaining.
pub fn allocation_lines(s: &Summary) -> Vec<String> {
    s.allocations
        .iter()
        .map(|a| {
            let group = a
                .group
                .as_ref()
                .map(|g| format!(" [{g}]"))
                .unwrap_or_default();
            let records = |n: usize| format!("{n} record{}", if n == 1 { "" } else { "s" });
            format!(
                "limit {}{group}: cap {}, admitted {} ({}), refused {} ({}), remaining {}",
                a.rule,
                a.cap,
                a.admitted,
                records(a.admitted_records),
                a.refused,
                records(a.refused_records),
                a.remaining
            )
        })
        .collect()
}

/// `run with national_cap = 400000, today = 2026-01-29`: the params and `today` a run
/// used; `None` for a policy that has neither.
pub fn params_line(policy: &clearance::Policy) -> Option<String> {
    let used = policy.params_used();
    (!used.is_empty()).then(|| {
        let shown: Vec<String> = used.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        format!("run with {}", shown.join(", "))
    })
}
