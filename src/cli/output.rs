//! Output formats for people (table) and spreadsheets (CSV). Values from data are
//! escaped: control characters never reach a terminal raw, and CSV cells cannot
//! start a spreadsheet formula.

use std::borrow::Cow;
use std::io::Write;

use clearance::outcome::{fact_lines, undecided, AllocationFact, Decision};
use clearance::run::{RecordResult, Report, Summary};

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
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let s = escape_control(s);
    if s.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{s}"))
    } else {
        s
    }
}

pub struct CsvOut<'w> {
    writer: csv::Writer<&'w mut dyn Write>,
    /// Leave cells that start like a formula as they are (`--csv-raw`).
    raw: bool,
    /// With the columns of [`CsvOut::LIMIT_HEADER`].
    limits: bool,
}

impl<'w> CsvOut<'w> {
    pub const HEADER: [&'static str; 8] = [
        "record", "position", "line", "decision", "rules", "reasons", "warnings", "errors",
    ];

    /// The columns of the allocation facts, after [`CsvOut::HEADER`] for a policy with
    /// `limit` rules (docs/language.md, "Output"): one value per limit that scoped the
    /// record, joined with `; `.
    pub const LIMIT_HEADER: [&'static str; 8] = [
        "limit",
        "limit_group",
        "limit_cap",
        "limit_quantity",
        "limit_remaining",
        "limit_place",
        "limit_order",
        "limit_admitted",
    ];

    /// The header of a policy's CSV output.
    pub fn header(policy: &clearance::Policy) -> Vec<&'static str> {
        let mut header = Self::HEADER.to_vec();
        if policy.has_limits() {
            header.extend(Self::LIMIT_HEADER);
        }
        header
    }

    /// Rows only, no header (for output rendered in chunks); `limits`: with the
    /// allocation columns.
    pub fn rows(out: &'w mut dyn Write, raw: bool, limits: bool) -> Self {
        CsvOut {
            writer: csv::Writer::from_writer(out),
            raw,
            limits,
        }
    }

    pub fn write(&mut self, r: &RecordResult) {
        let join = |parts: Vec<String>| parts.join("; ");
        let rules = join(r.outcome.rules.iter().map(|f| f.rule.clone()).collect());
        let reasons = join(r.outcome.rules.iter().map(|f| f.reason.clone()).collect());
        let warnings = join(
            r.outcome
                .warnings
                .iter()
                .map(|f| format!("{}: {}", f.rule, f.reason))
                .collect(),
        );
        let errors = join(
            r.outcome
                .errors
                .iter()
                .map(|e| match &e.rule {
                    Some(rule) => format!("{rule}: {}", e.message),
                    None => e.message.clone(),
                })
                .collect(),
        );
        let line = r.line.map(|l| l.to_string()).unwrap_or_default();
        let cell = |s: &'_ str| {
            if self.raw {
                escape_control(s).into_owned()
            } else {
                csv_cell(s).into_owned()
            }
        };
        let mut row = vec![
            cell(&r.record),
            r.position.to_string(),
            line,
            r.outcome.decision.as_str().to_string(),
            rules,
            cell(&reasons),
            cell(&warnings),
            cell(&errors),
        ];
        if self.limits {
            row.extend(limit_cells(&r.outcome.allocations).iter().map(|c| cell(c)));
        }
        let _ = self.writer.write_record(&row);
    }
}

/// The cells of [`CsvOut::LIMIT_HEADER`]: each fact's value per limit, joined with `; `.
fn limit_cells(facts: &[AllocationFact]) -> [String; 8] {
    let column =
        |f: &dyn Fn(&AllocationFact) -> String| facts.iter().map(f).collect::<Vec<_>>().join("; ");
    let value = |v: &Option<clearance::outcome::FieldValue>| {
        v.as_ref().map(|g| g.value.clone()).unwrap_or_default()
    };
    [
        column(&|f| f.rule.clone()),
        column(&|f| value(&f.group)),
        column(&|f| f.cap.clone()),
        column(&|f| f.quantity.clone()),
        column(&|f| f.remaining.clone()),
        column(&|f| f.place.to_string()),
        column(&|f| value(&f.order_by)),
        column(&|f| f.admitted.to_string()),
    ]
}

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
