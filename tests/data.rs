//! Reading data: line numbers, numbers in any notation, CSV delimiters, every bad field
//! of a record, and JSON syntax errors in an author's words.

mod common;

use clearance::data::{CsvDelimiter, DataFormat};
use clearance::outcome::Decision;
use clearance::run::{evaluate_all, Report};
use clearance::value::Value;
use clearance::Policy;
use common::clearance;

const POLICY_FILE: &str = "tests/fixtures/data_input.policy";

fn policy() -> Policy {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/data_input.policy"
    );
    clearance::compile(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn report(format: DataFormat, data: &str) -> Report {
    evaluate_all(&policy(), format, data.as_bytes()).expect("readable")
}

/// `clearance ARGS` with `stdin`: exit code, stdout, stderr.
fn run_with_stdin(args: &[&str], stdin: &str) -> (i32, String, String) {
    let out = clearance().args(args).write_stdin(stdin).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

// ------------------------------------------------------------------ CSV line numbers

#[test]
fn csv_with_crlf_line_endings_gives_the_lines_of_lf() {
    let lf = "id,n,d,p,note\n\
              a,1,1,1,\n\
              b,1,1,1,\"two\nlines\"\n\
              c,1,1,1,\n\
              \n\
              d,x,1,1,\n\
              e,1,1,1,\"three\n\nlines\"\n\
              f,1,1,1,";
    let crlf = lf.replace('\n', "\r\n");
    let lines = |data: &str| -> Vec<(String, Option<usize>)> {
        report(DataFormat::Csv(CsvDelimiter::Comma), data)
            .results
            .into_iter()
            .map(|r| (r.record, r.line))
            .collect()
    };
    let expected: Vec<(String, Option<usize>)> =
        [("a", 2), ("b", 3), ("c", 5), ("d", 7), ("e", 8), ("f", 11)]
            .iter()
            .map(|(id, line)| (id.to_string(), Some(*line)))
            .collect();
    assert_eq!(lines(lf), expected, "LF");
    assert_eq!(lines(&crlf), expected, "CRLF");
    // A multi-line cell keeps its own line breaks.
    let r = report(DataFormat::Csv(CsvDelimiter::Comma), &crlf);
    assert_eq!(r.results[1].outcome.decision, Decision::Allow);
}

// ------------------------------------------------------------------ numbers

/// The value of field `d` (a decimal), `p` (a percent) or the message of the record's
/// error, for a JSON record.
fn json_field(field: &str, value: &str) -> String {
    let p = policy();
    let fields = [("id", "\"x\""), ("n", "1"), ("d", "1"), ("p", "1")];
    let body: Vec<String> = fields
        .iter()
        .map(|(f, v)| format!("\"{f}\": {}", if *f == field { value } else { v }))
        .collect();
    let text = format!("{{{}}}", body.join(", "));
    shown(&p, field, clearance::data::decode_json(&p.schema, &text))
}

fn shown(
    p: &Policy,
    field: &str,
    row: Result<Vec<Value>, Vec<clearance::outcome::RecordError>>,
) -> String {
    match row {
        Ok(row) => {
            let slot = p.schema.slot(field).unwrap();
            row[slot]
                .display(&p.schema.fields[slot].ty, &p.schema.enums)
                .to_string()
        }
        Err(e) => format!("error: {}", e[0].message),
    }
}

#[test]
fn a_zero_in_exponent_notation_is_zero() {
    for zero in ["0E+50", "0E+60", "0e-99", "-0E+5", "0e0", "-0.0e-40"] {
        assert_eq!(json_field("d", zero), "0", "decimal {zero}");
        assert_eq!(json_field("p", zero), "0%", "percent {zero}");
    }
}

#[test]
fn numbers_in_the_decimal_range_are_accepted_in_any_notation() {
    for (json, decimal) in [
        ("1E+3", "1000"),
        ("12.5e-1", "1.25"),
        ("-2.50E1", "-25.0"),
        ("1e-28", "0.0000000000000000000000000001"),
        ("1.5e27", "1500000000000000000000000000"),
        ("0.00", "0.00"),
        (
            "7.9228162514264337593543950335E+28",
            "79228162514264337593543950335",
        ),
        // trailing zeros beyond 28 places do not change the value
        ("1.500000000000000000000000000000000", "1.5"),
        ("0.000000000000000000000000000000", "0"),
    ] {
        assert_eq!(json_field("d", json), decimal, "{json}");
        assert_eq!(json_field("p", json), format!("{decimal}%"), "{json}");
    }
}

#[test]
fn numbers_a_decimal_cannot_hold_exactly_are_errors_that_say_why() {
    let messages: Vec<String> = [
        "1e-29",
        "0.12345678901234567890123456789",
        "7.9228162514264337593543950336E+28",
        "1e400",
        "123456789012345678901234567890.5",
        "1234567890123.12345678901234567",
    ]
    .iter()
    .map(|n| format!("{n}: {}", json_field("d", n)))
    .collect();
    insta::assert_snapshot!(messages.join("\n"));
}

#[test]
fn an_int_field_takes_whole_numbers_only_in_plain_notation() {
    for n in ["1E+3", "0E+50", "1.0"] {
        let got = json_field("n", n);
        assert!(
            got.starts_with("error: `n`: expected a whole number, found a number"),
            "{n}: {got}"
        );
    }
}

#[test]
fn csv_cells_take_numbers_in_exponent_notation_too() {
    let data = "id,n,d,p\na,1,1E+3,0E+50\nb,1,12.5e-1,-0e5\nc,1E+3,1,1\nd,1,1e-29,1\n";
    let r = report(DataFormat::Csv(CsvDelimiter::Comma), data);
    let p = policy();
    let got: Vec<String> = r
        .results
        .iter()
        .map(|r| match r.outcome.errors.first() {
            Some(e) => format!("{}: error: {}", r.record, e.message),
            None => format!("{}: {:?}", r.record, r.outcome.decision),
        })
        .collect();
    assert_eq!(
        got,
        [
            "a: Allow",
            "b: Allow",
            "c: error: `n`: expected a whole number, found `1E+3`",
            "d: error: `d`: 1e-29 does not fit in a decimal (more than 28 decimal places)",
        ]
    );
    // the values themselves
    let row = |line: &str| {
        let mut rows = Vec::new();
        let text = format!("id,n,d,p\n{line}\n");
        clearance::data::read_records(
            &p.schema,
            DataFormat::Csv(CsvDelimiter::Comma),
            text.as_bytes(),
            &mut |r| rows.push(r.row.unwrap()),
        )
        .unwrap();
        rows.remove(0)
    };
    let a = row("a,1,1E+3,0E+50");
    assert_eq!(
        a[2].display(&p.schema.fields[2].ty, &[]).to_string(),
        "1000"
    );
    assert_eq!(a[3].display(&p.schema.fields[3].ty, &[]).to_string(), "0%");
}

// ------------------------------------------------------------------ CSV delimiters

#[test]
fn a_csv_header_that_is_one_column_with_semicolons_is_an_input_error() {
    let p = policy();
    for (data, shown, flag) in [
        ("id;n;d;p\na;1;1;1\n", "id;n;d;p", "';'"),
        ("id\tn\td\tp\na\t1\t1\t1\n", "id\\tn\\td\\tp", "tab"),
        ("id|n|d|p\na|1|1|1\n", "id|n|d|p", "'|'"),
    ] {
        let e =
            evaluate_all(&p, DataFormat::Csv(CsvDelimiter::Comma), data.as_bytes()).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(
            e.message
                .contains(&format!("the header is one column `{shown}`")),
            "{}",
            e.message
        );
        assert!(
            e.message.contains(&format!("--csv-delimiter {flag}")),
            "{}",
            e.message
        );
    }
    // A one-column header that names a field is not a mistake.
    let single = clearance::compile("policy \"s\" schema { id: text }").unwrap();
    let r = evaluate_all(
        &single,
        DataFormat::Csv(CsvDelimiter::Comma),
        "id\na;b\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(r.results[0].record, "a;b");
}

#[test]
fn eval_says_how_to_read_a_semicolon_csv_and_reads_it_with_the_flag() {
    let data = "id;n;d;p\na;1;1,5;1\nb;9;2;3\n";
    let (code, stdout, stderr) = run_with_stdin(
        &["eval", POLICY_FILE, "--data", "-", "--data-format", "csv"],
        data,
    );
    assert_eq!(code, 2, "{stdout}");
    insta::assert_snapshot!(stderr);
    let (code, stdout, stderr) = run_with_stdin(
        &[
            "eval",
            POLICY_FILE,
            "--data",
            "-",
            "--data-format",
            "csv",
            "--csv-delimiter",
            ";",
            "--format",
            "csv",
        ],
        data,
    );
    assert_eq!(code, 1, "a decimal comma is not a number: {stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn the_csv_delimiter_flag_takes_tab_pipe_and_comma() {
    for (delimiter, data) in [
        ("tab", "id\tn\td\tp\na\t9\t1\t1\n"),
        ("\t", "id\tn\td\tp\na\t9\t1\t1\n"),
        ("|", "id|n|d|p\na|9|1|1\n"),
        (",", "id,n,d,p\na,9,1,1\n"),
    ] {
        let (code, stdout, stderr) = run_with_stdin(
            &[
                "eval",
                POLICY_FILE,
                "--data",
                "-",
                "--data-format",
                "csv",
                "--csv-delimiter",
                delimiter,
            ],
            data,
        );
        assert_eq!(code, 0, "{delimiter:?}: {stderr}");
        assert!(stdout.contains("\"decision\":\"deny\""), "{stdout}");
    }
}

#[test]
fn the_csv_delimiter_flag_refuses_other_characters_and_other_formats() {
    let (code, _, stderr) = run_with_stdin(
        &[
            "eval",
            POLICY_FILE,
            "--data",
            "-",
            "--data-format",
            "csv",
            "--csv-delimiter",
            ":",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`:` is not a CSV delimiter; use `,`, `;`, `tab` or `|`"),
        "{stderr}"
    );
    let (code, _, stderr) = run_with_stdin(
        &[
            "eval",
            POLICY_FILE,
            "--data",
            "-",
            "--data-format",
            "ndjson",
            "--csv-delimiter",
            ";",
        ],
        "",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--csv-delimiter applies to CSV data only"),
        "{stderr}"
    );
}

#[test]
fn explain_and_diff_take_the_csv_delimiter_flag() {
    let data = "id;n;d;p\na;9;1;1\n";
    let (code, stdout, stderr) = run_with_stdin(
        &[
            "explain",
            POLICY_FILE,
            "--data",
            "-",
            "--data-format",
            "csv",
            "--csv-delimiter",
            ";",
            "--record",
            "a",
        ],
        data,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("9 is over 5"), "{stdout}");
    let (code, stdout, stderr) = run_with_stdin(
        &[
            "diff",
            POLICY_FILE,
            POLICY_FILE,
            "--data",
            "-",
            "--data-format",
            "csv",
            "--csv-delimiter",
            ";",
            "--format",
            "json",
        ],
        data,
    );
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["records"], 1);
    // without the flag, both say what happened
    for command in ["explain", "diff"] {
        let mut args = vec![command, POLICY_FILE];
        if command == "diff" {
            args.push(POLICY_FILE);
        }
        args.extend(["--data", "-", "--data-format", "csv"]);
        if command == "explain" {
            args.extend(["--record", "a"]);
        }
        let (code, _, stderr) = run_with_stdin(&args, data);
        assert_eq!(code, 2, "{command}");
        assert!(
            stderr.contains("--csv-delimiter ';'"),
            "{command}: {stderr}"
        );
    }
}

// ------------------------------------------------------------------ every bad field

/// `field: message` for each error of each record.
fn errors(report: &Report) -> Vec<Vec<String>> {
    report
        .results
        .iter()
        .map(|r| {
            r.outcome
                .errors
                .iter()
                .map(|e| format!("{}: {}", e.field.as_deref().unwrap_or("-"), e.message))
                .collect()
        })
        .collect()
}

#[test]
fn every_bad_field_of_a_record_is_reported_in_every_format() {
    let expected = vec![
        vec![
            "n: `n`: expected a whole number, found a string \"many\"".to_string(),
            "p: `p`: expected a percent such as \"30%\", found \"3\"".to_string(),
            "d: the required field `d` is missing".to_string(),
        ],
        vec![],
    ];
    let ndjson = "{\"id\": \"a\", \"n\": \"many\", \"p\": \"3\"}\n{\"id\": \"b\", \"n\": 1, \"d\": 1, \"p\": 1}\n";
    assert_eq!(errors(&report(DataFormat::Ndjson, ndjson)), expected);
    // the general path (an unknown nested field) reports them all too
    let nested = ndjson.replace("\"id\": \"a\",", "\"id\": \"a\", \"x\": [{}],");
    assert_eq!(errors(&report(DataFormat::Ndjson, &nested)), expected);
    let array = format!("[{}]", ndjson.trim_end().replace('\n', ",\n"));
    assert_eq!(errors(&report(DataFormat::Json, &array)), expected);

    let csv = "id,n,d,p\na,many,,3x\nb,1,1,1\n";
    assert_eq!(
        errors(&report(DataFormat::Csv(CsvDelimiter::Comma), csv)),
        vec![
            vec![
                "n: `n`: expected a whole number, found `many`".to_string(),
                "p: `p`: expected a percent such as 30% or 30, found `3x`".to_string(),
                "d: the required field `d` is missing".to_string(),
            ],
            vec![],
        ]
    );
    // a null for a required field is reported once, as null
    let r = report(
        DataFormat::Ndjson,
        "{\"id\": \"a\", \"n\": null, \"d\": null, \"p\": 1}",
    );
    assert_eq!(
        errors(&r),
        vec![vec![
            "n: `n` is null, but it is required".to_string(),
            "d: `d` is null, but it is required".to_string(),
        ]]
    );
}

// ------------------------------------------------------------------ JSON syntax

#[test]
fn malformed_json_lines_are_described_in_an_authors_words() {
    let lines = [
        r#"{"id": "a", "n": tru, "d": 1, "p": 1}"#,
        r#"{"id": "a", "n": yes, "d": 1, "p": 1}"#,
        r#"{"id": 'a', "n": 1, "d": 1, "p": 1}"#,
        r#"{"id": "a", "n": , "d": 1, "p": 1}"#,
        r#"{"id": "a", "n": 1, "d": 1, "p": 1,}"#,
        r#"{"id": "a", "n": 1, "d": 1, "p": 1"#,
        r#"{"id": "a", "n": 1, "d": 1, "p": "1%"#,
        r#"{"id": "a", "n": 1, "d": 1, "p": 1} x"#,
        r#"{"id": "a\q", "n": 1, "d": 1, "p": 1, "z": [1]}"#,
        "{\"id\": \"a\tb\", \"n\": 1, \"d\": 1, \"p\": 1}",
        r#"{"id": "a" "n": 1, "d": 1, "p": 1}"#,
        r#"{id: "a", "n": 1, "d": 1, "p": 1}"#,
        r#"{"id" "a", "n": 1, "d": 1, "p": 1}"#,
        r#"{"id": "a", "n": 01, "d": 1, "p": 1}"#,
        r#"{"id": "a", "n": 1, "d": [1 2], "p": 1}"#,
        r#"{"id": "ü", "n": 1, "d": 1, "p": nul}"#,
        r#"{"id": "a", "n": 1, "d": 1, "p": 1, "z": [1,]}"#,
    ];
    let data = lines.join("\n");
    let r = report(DataFormat::Ndjson, &data);
    let messages: Vec<String> = lines
        .iter()
        .zip(&r.results)
        .map(|(line, r)| {
            assert_eq!(r.outcome.decision, Decision::Error, "{line}");
            format!(
                "{line}\n  line {}: {}",
                r.line.unwrap(),
                r.outcome.errors[0].message
            )
        })
        .collect();
    insta::assert_snapshot!(messages.join("\n"));
}

#[test]
fn a_json_array_that_is_not_valid_json_says_where_and_why() {
    let p = policy();
    let cases = [
        "[\n  {\"id\": \"a\", \"n\": 1, \"d\": 1, \"p\": 1},\n  {\"id\": \"b\", \"n\": tru, \"d\": 1, \"p\": 1}\n]",
        "[{\"id\": \"a\",\n  \"n\": 1 \"d\": 1, \"p\": 1}]",
        "[{\"id\": \"a\", \"n\": 1, \"d\": 1, \"p\": 1}, {\"id\": \"b\"",
    ];
    let got: Vec<String> = cases
        .iter()
        .map(|c| {
            let e = evaluate_all(&p, DataFormat::Json, c.as_bytes()).unwrap_err();
            format!("{:?}:{:?}: {}", e.line, e.column, e.message)
        })
        .collect();
    insta::assert_snapshot!(got.join("\n"));
    // the CLI prints the file, line and column
    let (code, _, stderr) = run_with_stdin(
        &["eval", POLICY_FILE, "--data", "-", "--data-format", "json"],
        cases[0],
    );
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim_end(),
        "error: -:3:20: record 2 is not valid JSON: `tru` is not a JSON value; expected `true`, `false`, `null`, a number, a string, an array or an object"
    );
}
