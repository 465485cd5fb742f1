//! `eval --fields`: the chosen fields of each result in `ndjson`, `csv` and `json`
//! output, always in their usual order; the summary whole; unknown names refused.

mod common;

use common::run;

const POLICY: &str = "policies/domestic_quota.policy";
const DATA: &str = "policies/data/domestic_quota.ndjson";

fn eval(format: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["eval", POLICY, "--data", DATA, "--format", format];
    args.extend_from_slice(extra);
    run(&args)
}

fn lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn ndjson_shows_the_chosen_fields_in_their_usual_order() {
    let (code, all, all_err) = eval("ndjson", &[]);
    let (code2, some, some_err) = eval("ndjson", &["--fields", "rules,record,decision"]);
    assert_eq!((code, code2), (1, 1), "{some_err}");
    assert_eq!(all_err, some_err, "the summary is the same");
    let (all, some) = (lines(&all), lines(&some));
    assert_eq!(all.len(), some.len());
    let mut fired = 0;
    for (full, chosen) in all.iter().zip(&some) {
        let keys: Vec<&String> = chosen.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["decision", "record", "rules"]); // serde_json sorts its map
        assert_eq!(chosen["record"], full["record"]);
        assert_eq!(chosen["decision"], full["decision"]);
        let names = |v: &serde_json::Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| (r["rule"].clone(), r["verdict"].clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&chosen["rules"]), names(&full["rules"]));
        for r in chosen["rules"].as_array().unwrap() {
            assert_eq!(
                r.as_object().unwrap().len(),
                2,
                "no reason without `reasons`: {r}"
            );
            fired += 1;
        }
    }
    assert!(fired > 100);
    // The order on the line is the usual one, whatever the order given.
    let (_, raw, _) = eval("ndjson", &["--fields", "rules,decision,record"]);
    assert!(raw.starts_with("{\"record\":"), "{}", &raw[..80]);
    let first = raw.lines().next().unwrap();
    assert!(
        first.find("\"decision\"") < first.find("\"rules\""),
        "{first}"
    );
}

#[test]
fn ndjson_with_reasons_keeps_them_in_the_rules() {
    let (_, all, _) = eval("ndjson", &[]);
    let (_, some, _) = eval("ndjson", &["--fields", "rules,reasons,warnings"]);
    for (full, chosen) in lines(&all).iter().zip(lines(&some)) {
        assert_eq!(chosen["rules"], full["rules"]);
        assert_eq!(chosen["warnings"], full["warnings"]);
        assert_eq!(chosen.as_object().unwrap().len(), 2);
    }
}

#[test]
fn csv_shows_the_chosen_columns() {
    let (_, all, _) = eval("csv", &[]);
    let (code, some, _) = eval("csv", &["--fields", "decision,record,reasons"]);
    assert_eq!(code, 1);
    assert_eq!(some.lines().next(), Some("record,decision,reasons"));
    let read = |s: &str| {
        let mut r = csv::Reader::from_reader(s.as_bytes());
        r.records().map(|r| r.unwrap()).collect::<Vec<_>>()
    };
    let (all, some) = (read(&all), read(&some));
    assert_eq!(all.len(), some.len());
    for (full, chosen) in all.iter().zip(&some) {
        // record, position, line, decision, rules, reasons, …
        assert_eq!(
            chosen.iter().collect::<Vec<_>>(),
            [&full[0], &full[3], &full[5]]
        );
    }
}

#[test]
fn csv_allocations_are_the_limit_columns() {
    let args = [
        "eval",
        "policies/h200_first_batch.policy",
        "--data",
        "policies/data/h200_first_batch.ndjson",
        "--format",
        "csv",
        "--fields",
        "record,allocations",
    ];
    let (_, out, _) = run(&args);
    assert!(out.starts_with(
        "record,limit,limit_group,limit_cap,limit_quantity,limit_remaining,limit_place,limit_order,limit_admitted\n"
    ));
    assert!(
        out.lines()
            .skip(1)
            .any(|l| l.contains(",national_allocation,")),
        "{out}"
    );
}

#[test]
fn json_results_show_the_chosen_fields_and_the_summary_is_whole() {
    let (_, all, _) = eval("json", &[]);
    let (code, some, _) = eval("json", &["--fields", "decision"]);
    assert_eq!(code, 1);
    let (all, some): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&all).unwrap(),
        serde_json::from_str(&some).unwrap(),
    );
    assert_eq!(some["summary"], all["summary"]);
    assert_eq!(some["policy"], all["policy"]);
    let results = some["results"].as_array().unwrap();
    assert_eq!(results.len(), all["results"].as_array().unwrap().len());
    for (full, chosen) in all["results"].as_array().unwrap().iter().zip(results) {
        assert_eq!(chosen, &serde_json::json!({ "decision": full["decision"] }));
    }
}

#[test]
fn every_field_by_name_is_the_default_output() {
    let every = "record,position,line,decision,rules,reasons,warnings,errors,allocations,explain";
    for format in ["ndjson", "csv", "json"] {
        let fields: &[&str] = if format == "csv" {
            &[
                "--fields",
                "record,position,line,decision,rules,reasons,warnings,errors,allocations",
            ]
        } else {
            &["--fields", every]
        };
        assert_eq!(eval(format, fields), eval(format, &[]), "{format}");
    }
}

#[test]
fn an_unknown_field_is_refused_with_the_likely_name() {
    let (code, out, err) = eval("ndjson", &["--fields", "record,decison"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("`decison` is not a field of a result; did you mean `decision`?"),
        "{err}"
    );
    assert!(
        err.contains("the fields are record, position, line, decision"),
        "{err}"
    );
}

#[test]
fn fields_that_an_output_cannot_show_are_refused() {
    let (code, _, err) = eval("table", &["--fields", "record"]);
    assert_eq!(code, 2);
    assert!(err.contains("not of the table"), "{err}");
    let (code, _, err) = eval("csv", &["--fields", "record,explain"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`explain` is not a column of `csv` output"),
        "{err}"
    );
    #[cfg(feature = "arrow")]
    {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("results.parquet");
        let out = out.to_str().unwrap();
        let (code, _, err) = eval("parquet", &["--fields", "record", "--output", out]);
        assert_eq!(code, 2);
        assert!(err.contains("a Parquet file has every column"), "{err}");
        assert!(!std::path::Path::new(out).exists(), "nothing written");
    }
}

#[test]
fn explanations_are_shown_when_chosen() {
    let (_, out, _) = eval("ndjson", &["--explain", "--fields", "record,explain"]);
    let mut explained = 0;
    for line in lines(&out) {
        let keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        // A record whose data could not be read has no explanation, as without `--fields`.
        assert!(
            keys == ["explain", "record"] || keys == ["record"],
            "{keys:?}"
        );
        explained += usize::from(keys.len() == 2);
    }
    assert!(explained > 200, "{explained}");
    let (_, out, _) = eval("ndjson", &["--explain", "--fields", "record"]);
    assert!(lines(&out)
        .iter()
        .all(|l| l.as_object().unwrap().len() == 1));
}
