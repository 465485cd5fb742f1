//! The streaming hot path: a record without errors is decoded into a reused row,
//! evaluated to its fired-rule set, and written straight into the output buffer —
//! label, numbers, rule names and reasons — without a [`super::RecordResult`] or any
//! `String` of its own. Everything else (bad data, runtime errors, an escaped string)
//! takes the general path, which writes the same bytes from a `RecordResult`.

use std::fmt::Write as _;

use super::render::{
    cell_text, json_escaped, json_string, number, CsvRow, Field, Fields, JsonText,
};
use super::{evaluate_one, Summary};
use crate::data::{Raw, RowBuffer};
use crate::eval::{FiredSet, Policy};
use crate::ir::{Expr, ExprKind, TemplatePart};
use crate::outcome::{Decision, Verdict};
use crate::value::Value;

/// What a streaming run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// One JSON object per line.
    Ndjson,
    /// CSV rows (without the header); `raw`: cells that start like a formula are left
    /// as they are (`--csv-raw`).
    Csv {
        /// Leave formula-like cells as they are.
        raw: bool,
    },
}

/// A policy's rendering, prepared once per run.
pub(super) struct Fast<'p> {
    pub policy: &'p Policy,
    pub rendering: Rendering,
    pub fields: Fields,
    /// Per rule: `{"rule":"NAME","verdict":"VERDICT"` (then the reason, then `}`).
    heads: Vec<Vec<u8>>,
    warn: Vec<bool>,
    /// Per rule: whether its `because` can fail at run time (so that it must be
    /// rendered even when reasons are not shown: the failure is the record's error).
    can_fail: Vec<bool>,
    value_slots: Vec<bool>,
}

/// A worker's buffers, reused from record to record.
pub(super) struct Worker {
    rows: RowBuffer,
    fired: FiredSet,
    cell: Vec<u8>,
    label: String,
    reasons: String,
    warnings: String,
}

/// A `fmt::Write` that keeps nothing (a reason rendered only to see that it can be).
struct Discard;

impl std::fmt::Write for Discard {
    fn write_str(&mut self, _: &str) -> std::fmt::Result {
        Ok(())
    }
}

impl<'p> Fast<'p> {
    pub fn new(policy: &'p Policy, rendering: Rendering, fields: Fields) -> Self {
        let heads = policy
            .rules
            .iter()
            .map(|r| {
                let mut h = b"{\"rule\":".to_vec();
                json_string(&mut h, &r.name);
                h.extend_from_slice(b",\"verdict\":\"");
                h.extend_from_slice(r.verdict.as_str().as_bytes());
                h.push(b'"');
                h
            })
            .collect();
        let can_fail = policy
            .rules
            .iter()
            .map(|r| {
                r.because.iter().flat_map(|t| &t.parts).any(|p| {
                    matches!(p, TemplatePart::Expr(e) if !matches!(e, Expr { kind: ExprKind::Field(_) | ExprKind::Const(_), .. }))
                })
            })
            .collect();
        Fast {
            policy,
            rendering,
            fields,
            heads,
            warn: policy
                .rules
                .iter()
                .map(|r| r.verdict == Verdict::Warn)
                .collect(),
            can_fail,
            value_slots: policy.value_slots(),
        }
    }

    pub fn worker(&self) -> Worker {
        Worker {
            rows: RowBuffer::new(&self.policy.schema, self.value_slots.clone()),
            fired: FiredSet::default(),
            cell: Vec::new(),
            label: String::new(),
            reasons: String::new(),
            warnings: String::new(),
        }
    }

    /// Decodes, evaluates and writes one record, and counts it in `summary`.
    pub fn record(
        &self,
        w: &mut Worker,
        raw: &Raw,
        position: usize,
        line: Option<usize>,
        out: &mut Vec<u8>,
        summary: &mut Summary,
    ) {
        let schema = &self.policy.schema;
        let text = match raw {
            Raw::Json(bytes) => std::str::from_utf8(bytes)
                .ok()
                .filter(|t| w.rows.decode_json(schema, t)),
            Raw::Csv(cells, layout) => std::str::from_utf8(cells.as_slice())
                .ok()
                .filter(|t| w.rows.decode_csv(schema, layout, cells, t)),
            Raw::Bad(_) => None,
        };
        if let Some(text) = text {
            self.policy.program().run(w.rows.row(), &mut w.fired);
            if w.fired.errors.is_empty() {
                let start = out.len();
                let written = match self.rendering {
                    Rendering::Ndjson => self.ndjson(w, text, position, line, out),
                    Rendering::Csv { raw } => self.csv(w, text, position, line, raw, out),
                };
                if written {
                    let warned = w.fired.fired().any(|i| self.warn[i]);
                    summary.tally(w.fired.decision, warned);
                    return;
                }
                out.truncate(start);
            }
        }
        let result = evaluate_one(self.policy, raw, position, line, None);
        summary.add(&result);
        match self.rendering {
            Rendering::Ndjson => super::render::write_ndjson(out, &result, self.fields),
            Rendering::Csv { raw } => {
                super::render::write_csv(out, &result, self.fields, raw, false, &mut w.cell)
            }
        }
    }

    /// The record's label: its `id`, or `#N`.
    fn label<'t>(&self, w: &'t mut Worker, text: &'t str, position: usize) -> &'t str {
        let schema = &self.policy.schema;
        w.label.clear();
        match schema.id {
            Some(slot) => {
                if let Some(t) = w.rows.text(text, slot) {
                    return t;
                }
                match &w.rows.row()[slot] {
                    Value::Missing => write!(w.label, "#{position}"),
                    v => write!(
                        w.label,
                        "{}",
                        v.display(&schema.fields[slot].ty, &schema.enums)
                    ),
                }
            }
            None => write!(w.label, "#{position}"),
        }
        .ok();
        &w.label
    }

    /// Writes the reason of rule `i` to `out`; `false` when it fails.
    fn reason<W: std::fmt::Write>(&self, w: &Worker, text: &str, i: usize, out: &mut W) -> bool {
        let rows = &w.rows;
        let rule = &self.policy.rules[i];
        self.policy
            .write_reason(rule, rows.row(), &|slot| rows.text(text, slot), out)
            .is_ok()
    }

    /// The fired rules that are warnings (or not): `{"rule":…,"verdict":…,"reason":…}`.
    fn fired_json(&self, w: &Worker, text: &str, warnings: bool, out: &mut Vec<u8>) -> bool {
        let reasons = self.fields.has(Field::Reasons);
        out.push(b'[');
        let mut first = true;
        for i in w.fired.fired().filter(|i| self.warn[*i] == warnings) {
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(&self.heads[i]);
            if reasons {
                out.extend_from_slice(b",\"reason\":\"");
                if !self.reason(w, text, i, &mut JsonText(out)) {
                    return false;
                }
                out.push(b'"');
            } else if self.can_fail[i] && !self.reason(w, text, i, &mut Discard) {
                return false;
            }
            out.push(b'}');
        }
        out.push(b']');
        true
    }

    fn ndjson(
        &self,
        w: &mut Worker,
        text: &str,
        position: usize,
        line: Option<usize>,
        out: &mut Vec<u8>,
    ) -> bool {
        let f = self.fields;
        // A reason that fails makes the record an error, shown or not.
        let (rules, warnings) = (f.has(Field::Rules), f.has(Field::Warnings));
        let unshown_ok = (rules && warnings) || self.check_reasons(w, text, !rules, !warnings);
        if !unshown_ok {
            return false;
        }
        let mut next = b'{';
        let mut key = |out: &mut Vec<u8>, k: &str| {
            out.push(next);
            next = b',';
            json_string(out, k);
            out.push(b':');
        };
        if f.has(Field::Record) {
            key(out, "record");
            out.push(b'"');
            let label = self.label(w, text, position);
            json_escaped(out, label);
            out.push(b'"');
        }
        if f.has(Field::Position) {
            key(out, "position");
            number(out, position);
        }
        if let (true, Some(line)) = (f.has(Field::Line), line) {
            key(out, "line");
            number(out, line);
        }
        if f.has(Field::Decision) {
            key(out, "decision");
            json_string(out, w.fired.decision.as_str());
        }
        if f.has(Field::Rules) {
            key(out, "rules");
            if !self.fired_json(w, text, false, out) {
                return false;
            }
        }
        if f.has(Field::Warnings) {
            key(out, "warnings");
            if !self.fired_json(w, text, true, out) {
                return false;
            }
        }
        if f.has(Field::Errors) {
            key(out, "errors");
            out.extend_from_slice(b"[]");
        }
        if next == b'{' {
            out.push(b'{');
        }
        out.extend_from_slice(b"}\n");
        true
    }

    /// Whether every reason that can fail renders, of the rules (`rules`) and of the
    /// warnings (`warnings`) that fired.
    fn check_reasons(&self, w: &Worker, text: &str, rules: bool, warnings: bool) -> bool {
        w.fired.fired().all(|i| {
            let checked = if self.warn[i] { warnings } else { rules };
            !checked || !self.can_fail[i] || self.reason(w, text, i, &mut Discard)
        })
    }

    fn csv(
        &self,
        w: &mut Worker,
        text: &str,
        position: usize,
        line: Option<usize>,
        raw: bool,
        out: &mut Vec<u8>,
    ) -> bool {
        let f = self.fields;
        // Reasons first: a failing one sends the record to the general path.
        let (mut reasons, mut warnings) = (
            std::mem::take(&mut w.reasons),
            std::mem::take(&mut w.warnings),
        );
        reasons.clear();
        warnings.clear();
        let mut ok = true;
        for i in w.fired.fired() {
            let warning = self.warn[i];
            let into = if warning { &mut warnings } else { &mut reasons };
            if !into.is_empty() {
                into.push_str("; ");
            }
            if warning {
                into.push_str(&self.policy.rules[i].name);
                into.push_str(": ");
            }
            ok &= self.reason(w, text, i, into);
        }
        if ok {
            let mut cell = std::mem::take(&mut w.cell);
            let mut row = CsvRow::new(&mut *out);
            if f.has(Field::Record) {
                cell_text(&mut cell, self.label(w, text, position), raw);
                row.cell(&cell);
            }
            if f.has(Field::Position) {
                cell.clear();
                number(&mut cell, position);
                row.cell(&cell);
            }
            if f.has(Field::Line) {
                cell.clear();
                if let Some(line) = line {
                    number(&mut cell, line);
                }
                row.cell(&cell);
            }
            if f.has(Field::Decision) {
                row.cell(w.fired.decision.as_str().as_bytes());
            }
            if f.has(Field::Rules) {
                cell.clear();
                for i in w.fired.fired().filter(|i| !self.warn[*i]) {
                    if !cell.is_empty() {
                        cell.extend_from_slice(b"; ");
                    }
                    cell.extend_from_slice(self.policy.rules[i].name.as_bytes());
                }
                row.cell(&cell);
            }
            for (field, text) in [(Field::Reasons, &reasons), (Field::Warnings, &warnings)] {
                if f.has(field) {
                    cell_text(&mut cell, text, raw);
                    row.cell(&cell);
                }
            }
            if f.has(Field::Errors) {
                row.cell(b"");
            }
            row.end();
            w.cell = cell;
        }
        (w.reasons, w.warnings) = (reasons, warnings);
        ok
    }
}

impl Summary {
    /// Counts one more record by its decision and whether it has warnings.
    pub(super) fn tally(&mut self, d: Decision, warned: bool) {
        self.records += 1;
        match d {
            Decision::Allow => self.allow += 1,
            Decision::Deny => self.deny += 1,
            Decision::Waitlist => self.waitlist += 1,
            Decision::Error => self.error += 1,
        }
        self.warned += usize::from(warned);
    }
}
