//! Results as NDJSON lines and CSV rows, written into a byte buffer: the fields a run
//! shows (`--fields`), JSON strings escaped as `serde_json` escapes them, CSV cells
//! quoted as the `csv` crate quotes them, and cells that a spreadsheet would run as a
//! formula neutralised. The streaming hot path (`fast.rs`) writes the same bytes
//! without building a [`RecordResult`].

use std::borrow::Cow;
use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::{RecordResult, Report};
use crate::eval::Policy;
use crate::outcome::{AllocationFact, Fired};
use crate::value::escape_control;

/// One field of a result, as `--fields` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `record`: the record's `id`, or `#N`.
    Record,
    /// `position`: 1-based position among the input's records.
    Position,
    /// `line`: where the record starts in the input.
    Line,
    /// `decision`.
    Decision,
    /// `rules`: the rules that fired (their names, verdicts and, with `reasons`, reasons).
    Rules,
    /// `reasons`: the reason of each fired rule and warning (in CSV, its own column).
    Reasons,
    /// `warnings`: the `warn` rules that fired.
    Warnings,
    /// `errors`: why the decision is `error`.
    Errors,
    /// `allocations`: the facts of the `limit`s a record took part in (CSV: `limit_*`).
    Allocations,
    /// `explain`: every rule with its values (`--explain`; not in CSV).
    Explain,
}

impl Field {
    /// Every field, in the order results show them.
    pub const ALL: [Field; 10] = [
        Field::Record,
        Field::Position,
        Field::Line,
        Field::Decision,
        Field::Rules,
        Field::Reasons,
        Field::Warnings,
        Field::Errors,
        Field::Allocations,
        Field::Explain,
    ];

    /// The name `--fields` takes.
    pub fn name(self) -> &'static str {
        match self {
            Field::Record => "record",
            Field::Position => "position",
            Field::Line => "line",
            Field::Decision => "decision",
            Field::Rules => "rules",
            Field::Reasons => "reasons",
            Field::Warnings => "warnings",
            Field::Errors => "errors",
            Field::Allocations => "allocations",
            Field::Explain => "explain",
        }
    }
}

/// The fields a run shows, always in the order of [`Field::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields(u16);

impl Default for Fields {
    fn default() -> Self {
        Fields::ALL
    }
}

impl Fields {
    /// Every field: the output as it is without `--fields`.
    pub const ALL: Fields = Fields((1 << Field::ALL.len()) - 1);

    /// Whether `f` is shown.
    pub fn has(self, f: Field) -> bool {
        self.0 & (1 << f as u16) != 0
    }

    /// The fields named by `names` (`record`, `decision`, …); an unknown name is an
    /// error that says which names there are, and the likely one.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Fields, String> {
        let mut set = 0u16;
        for name in names {
            let name = name.as_ref().trim();
            match Field::ALL.iter().find(|f| f.name() == name) {
                Some(f) => set |= 1 << *f as u16,
                None => return Err(unknown_field(name)),
            }
        }
        Ok(Fields(set))
    }
}

fn unknown_field(name: &str) -> String {
    let likely = Field::ALL
        .iter()
        .map(|f| (strsim::levenshtein(name, f.name()), f.name()))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min();
    let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
    let hint = likely.map_or(String::new(), |(_, n)| format!("; did you mean `{n}`?"));
    format!(
        "`{}` is not a field of a result{hint} (the fields are {})",
        escape_control(name),
        names.join(", ")
    )
}

// ------------------------------------------------------------------ JSON

/// `s` as the inside of a JSON string, escaped as `serde_json` escapes it.
pub(super) fn json_escaped(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let escape: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&b[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(c >> 4)]);
            out.push(HEX[usize::from(c & 15)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
    }
    out.extend_from_slice(&b[start..]);
}

/// `s` as a JSON string, quoted.
pub(super) fn json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    json_escaped(out, s);
    out.push(b'"');
}

/// Text written into the inside of a JSON string.
pub(super) struct JsonText<'a>(pub &'a mut Vec<u8>);

impl fmt::Write for JsonText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        json_escaped(self.0, s);
        Ok(())
    }
}

/// A number in decimal digits.
pub(super) fn number(out: &mut Vec<u8>, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// One result as an NDJSON line: every field as `serde_json` writes the result, or
/// the chosen ones.
pub fn write_ndjson(out: &mut Vec<u8>, r: &RecordResult, fields: Fields) {
    // Into memory: cannot fail.
    let _ = if fields == Fields::ALL {
        serde_json::to_writer(&mut *out, r)
    } else {
        serde_json::to_writer(&mut *out, &Selected { result: r, fields })
    };
    out.push(b'\n');
}

/// A result with only the chosen fields, for `serde`.
pub struct Selected<'a> {
    /// The result.
    pub result: &'a RecordResult,
    /// What of it is shown.
    pub fields: Fields,
}

impl Serialize for Selected<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (r, f) = (self.result, self.fields);
        let o = &r.outcome;
        let mut m = s.serialize_map(None)?;
        if f.has(Field::Record) {
            m.serialize_entry("record", &r.record)?;
        }
        if f.has(Field::Position) {
            m.serialize_entry("position", &r.position)?;
        }
        if let (true, Some(line)) = (f.has(Field::Line), r.line) {
            m.serialize_entry("line", &line)?;
        }
        if f.has(Field::Decision) {
            m.serialize_entry("decision", &o.decision)?;
        }
        let reasons = f.has(Field::Reasons);
        if f.has(Field::Rules) {
            m.serialize_entry("rules", &FiredList(&o.rules, reasons))?;
        }
        if f.has(Field::Warnings) {
            m.serialize_entry("warnings", &FiredList(&o.warnings, reasons))?;
        }
        if f.has(Field::Errors) {
            m.serialize_entry("errors", &o.errors)?;
        }
        if f.has(Field::Allocations) && !o.allocations.is_empty() {
            m.serialize_entry("allocations", &o.allocations)?;
        }
        if let (true, Some(explain)) = (f.has(Field::Explain), &r.explain) {
            m.serialize_entry("explain", explain)?;
        }
        m.end()
    }
}

/// Fired rules, with their reasons or without.
struct FiredList<'a>(&'a [Fired], bool);

impl Serialize for FiredList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for f in self.0 {
            if self.1 {
                seq.serialize_element(f)?;
            } else {
                seq.serialize_element(&NoReason(f))?;
            }
        }
        seq.end()
    }
}

struct NoReason<'a>(&'a Fired);

impl Serialize for NoReason<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Fired", 2)?;
        st.serialize_field("rule", &self.0.rule)?;
        st.serialize_field("verdict", &self.0.verdict)?;
        st.end()
    }
}

/// A [`Report`] whose results show only the chosen fields (the summary is whole).
pub struct SelectedReport<'a> {
    /// The report.
    pub report: &'a Report,
    /// What of each result is shown.
    pub fields: Fields,
}

impl Serialize for SelectedReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.report;
        let mut st = s.serialize_struct("Report", 4)?;
        st.serialize_field("policy", &r.policy)?;
        if !r.params.is_empty() {
            st.serialize_field("params", &r.params)?;
        }
        st.serialize_field("summary", &r.summary)?;
        let results: Vec<Selected> = r
            .results
            .iter()
            .map(|result| Selected {
                result,
                fields: self.fields,
            })
            .collect();
        st.serialize_field("results", &results)?;
        st.end()
    }
}

// ------------------------------------------------------------------ CSV

/// The columns of CSV output, before the allocation columns.
const COLUMNS: [(&str, Field); 8] = [
    ("record", Field::Record),
    ("position", Field::Position),
    ("line", Field::Line),
    ("decision", Field::Decision),
    ("rules", Field::Rules),
    ("reasons", Field::Reasons),
    ("warnings", Field::Warnings),
    ("errors", Field::Errors),
];

/// The columns of the allocation facts, after the others for a policy with `limit`
/// rules (docs/language.md, "Output"): one value per limit that scoped the record,
/// joined with `; `.
const LIMIT_COLUMNS: [&str; 8] = [
    "limit",
    "limit_group",
    "limit_cap",
    "limit_quantity",
    "limit_remaining",
    "limit_place",
    "limit_order",
    "limit_admitted",
];

/// The header row of a policy's CSV output with `fields`.
pub fn csv_header(policy: &Policy, fields: Fields) -> Vec<u8> {
    let mut out = Vec::new();
    let mut row = CsvRow::new(&mut out);
    for (name, f) in COLUMNS {
        if fields.has(f) {
            row.cell(name.as_bytes());
        }
    }
    if policy.has_limits() && fields.has(Field::Allocations) {
        LIMIT_COLUMNS.iter().for_each(|c| row.cell(c.as_bytes()));
    }
    row.end();
    out
}

/// One CSV row being written, quoted as the `csv` crate quotes (a cell with `,`, `"`,
/// `\r` or `\n` in quotes, quotes doubled; a row of one empty cell is `""`).
pub(super) struct CsvRow<'o> {
    out: &'o mut Vec<u8>,
    start: usize,
    cells: usize,
}

impl<'o> CsvRow<'o> {
    pub fn new(out: &'o mut Vec<u8>) -> Self {
        let start = out.len();
        CsvRow {
            out,
            start,
            cells: 0,
        }
    }

    pub fn cell(&mut self, cell: &[u8]) {
        let out = &mut self.out;
        if self.cells > 0 {
            out.push(b',');
        }
        self.cells += 1;
        if !cell
            .iter()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            out.extend_from_slice(cell);
            return;
        }
        out.push(b'"');
        for &b in cell {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    }

    pub fn end(&mut self) {
        if self.cells == 1 && self.out.len() == self.start {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.push(b'\n');
    }
}

/// Writes `s` as CSV output shows data: control characters escaped and, unless `raw`,
/// a `'` before a leading `=`, `+`, `-` or `@`, so that a spreadsheet does not run it.
pub(super) fn cell_text(out: &mut Vec<u8>, s: &str, raw: bool) {
    out.clear();
    if !raw && s.starts_with(['=', '+', '-', '@']) {
        out.push(b'\'');
    }
    if !s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        out.extend_from_slice(s.as_bytes());
    } else {
        out.extend_from_slice(escape_control(s).as_bytes());
    }
}

/// A cell that a spreadsheet would run as a formula, neutralised (control characters
/// escaped, a leading `'` before `=`, `+`, `-`, `@`).
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let s = escape_control(s);
    if s.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{s}"))
    } else {
        s
    }
}

/// One result as a CSV row with `fields`; `raw`: cells as they are (`--csv-raw`);
/// `limits`: with the allocation columns. `cell` is scratch space.
pub fn write_csv(
    out: &mut Vec<u8>,
    r: &RecordResult,
    fields: Fields,
    raw: bool,
    limits: bool,
    cell: &mut Vec<u8>,
) {
    let o = &r.outcome;
    let join = |parts: Vec<String>| parts.join("; ");
    let mut row = CsvRow::new(out);
    let mut text = |row: &mut CsvRow, s: &str| {
        cell_text(cell, s, raw);
        row.cell(cell);
    };
    for (_, f) in COLUMNS.into_iter().filter(|(_, f)| fields.has(*f)) {
        match f {
            Field::Record => text(&mut row, &r.record),
            Field::Position => row.cell(r.position.to_string().as_bytes()),
            Field::Line => row.cell(r.line.map(|l| l.to_string()).unwrap_or_default().as_bytes()),
            Field::Decision => row.cell(o.decision.as_str().as_bytes()),
            Field::Rules => {
                row.cell(join(o.rules.iter().map(|f| f.rule.clone()).collect()).as_bytes())
            }
            Field::Reasons => text(
                &mut row,
                &join(o.rules.iter().map(|f| f.reason.clone()).collect()),
            ),
            Field::Warnings => {
                let shown = o
                    .warnings
                    .iter()
                    .map(|f| format!("{}: {}", f.rule, f.reason));
                text(&mut row, &join(shown.collect()))
            }
            Field::Errors => {
                let shown = o.errors.iter().map(|e| match &e.rule {
                    Some(rule) => format!("{rule}: {}", e.message),
                    None => e.message.clone(),
                });
                text(&mut row, &join(shown.collect()))
            }
            Field::Allocations | Field::Explain => {}
        }
    }
    if limits && fields.has(Field::Allocations) {
        limit_cells(&o.allocations)
            .iter()
            .for_each(|c| text(&mut row, c));
    }
    row.end();
}

/// The cells of the allocation columns: each fact's value per limit, joined with `; `.
fn limit_cells(facts: &[AllocationFact]) -> [String; 8] {
    let column =
        |f: &dyn Fn(&AllocationFact) -> String| facts.iter().map(f).collect::<Vec<_>>().join("; ");
    let value = |v: &Option<crate::outcome::FieldValue>| {
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

#[cfg(test)]
mod tests {
    use super::*;

    const TRICKY: [&str; 12] = [
        "",
        "plain",
        "a,b",
        "say \"hi\"",
        "line\nbreak",
        "cr\rhere",
        "tab\there",
        "\u{1}\u{1f}\u{7f}",
        "é ü 日本",
        "back\\slash",
        "\u{8}\u{c}",
        "\"",
    ];

    #[test]
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        for s in TRICKY {
            let mut out = Vec::new();
            json_string(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }

    #[test]
    fn csv_rows_are_quoted_as_the_csv_crate_quotes_them() {
        let rows: Vec<Vec<&str>> = vec![
            vec![""],
            vec!["", ""],
            TRICKY.to_vec(),
            vec!["x"],
            vec!["a,b", "", "\""],
        ];
        for cells in rows {
            let mut expected = Vec::new();
            {
                let mut w = ::csv::Writer::from_writer(&mut expected);
                w.write_record(&cells).unwrap();
            }
            let mut out = Vec::new();
            let mut row = CsvRow::new(&mut out);
            cells.iter().for_each(|c| row.cell(c.as_bytes()));
            row.end();
            assert_eq!(out, expected, "{cells:?}");
        }
    }

    #[test]
    fn cells_are_neutralised_as_before() {
        let mut out = Vec::new();
        for s in ["=1+1", "+x", "-3", "@a", "a\u{1b}[31m", "\u{85}x", "ok"] {
            cell_text(&mut out, s, false);
            assert_eq!(String::from_utf8(out.clone()).unwrap(), csv_cell(s));
        }
        cell_text(&mut out, "=1", true);
        assert_eq!(out, b"=1");
    }

    #[test]
    fn unknown_fields_name_the_likely_one() {
        let e = Fields::parse(&["record", "decison"]).unwrap_err();
        assert!(
            e.contains("`decison`") && e.contains("did you mean `decision`?"),
            "{e}"
        );
        let e = Fields::parse(&["zzzzzz"]).unwrap_err();
        assert!(!e.contains("did you mean"), "{e}");
        let f = Fields::parse(&["rules", "record"]).unwrap();
        assert!(f.has(Field::Rules) && f.has(Field::Record) && !f.has(Field::Reasons));
    }
}
