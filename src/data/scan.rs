//! A fast path for the common record: a flat JSON object. It finds each key and the
//! extent of its value in one pass over the bytes, maps the key to its slot without
//! hashing (keys usually come in schema order), and hands the value's text to the
//! typed decoder. Anything unusual (nested values of unknown fields, escapes in keys,
//! a number the JSON grammar forbids, a syntax error) returns `None`, and the record is
//! decoded by the general `serde_json` path, which also words the errors.

use crate::ir::Schema;

/// Splits a JSON object into `(slot, start, end)`: each schema field's value as a
/// byte range of `text`; `None` when the general path must decide.
pub(super) fn fields(
    schema: &Schema,
    text: &str,
    out: &mut Vec<(usize, usize, usize)>,
) -> Option<()> {
    out.clear();
    let b = text.as_bytes();
    let mut i = ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return (ws(b, i + 1) == b.len()).then_some(());
    }
    let mut guess = 0usize;
    loop {
        // key
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_start = i + 1;
        let j = key_start + memchr::memchr2(b'"', b'\\', b.get(key_start..)?)?;
        if b[j] == b'\\' || b[key_start..j].iter().any(|c| *c < 0x20) {
            return None;
        }
        let key = &text[key_start..j];
        i = ws(b, j + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = ws(b, i + 1);
        let value_start = i;
        i = value_end(b, i)?;
        let raw = &text[value_start..i];
        let names = &schema.fields;
        let slot = if names.get(guess).is_some_and(|f| f.name == key) {
            Some(guess)
        } else {
            names.iter().position(|f| f.name == key)
        };
        let nested = matches!(raw.as_bytes()[0], b'{' | b'[');
        match slot {
            // A nested value where the schema has no list: let the general path judge it.
            Some(s) if nested && !matches!(names[s].ty, crate::value::Type::List(_)) => {
                return None
            }
            Some(s) => {
                out.push((s, value_start, i));
                guess = s + 1;
            }
            // An unknown field with a nested value: let the general path validate it.
            None if nested => return None,
            None => {}
        }
        i = ws(b, i);
        match b.get(i) {
            Some(b',') => i = ws(b, i + 1),
            Some(b'}') => return (ws(b, i + 1) == b.len()).then_some(()),
            _ => return None,
        }
    }
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The end of the JSON value starting at `i`, checked against the grammar for
/// scalars; nested arrays and objects are only delimited (the general path or the
/// list decoder validates them).
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => {
            let mut j = i + 1;
            loop {
                let k = j + memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
                // Control characters must be escaped in JSON strings.
                if b[j..k].iter().fold(false, |bad, c| bad | (*c < 0x20)) {
                    return None;
                }
                if b[k] == b'"' {
                    return Some(k + 1);
                }
                j = k + 2;
            }
        }
        b't' => b[i..].starts_with(b"true").then_some(i + 4),
        b'f' => b[i..].starts_with(b"false").then_some(i + 5),
        b'n' => b[i..].starts_with(b"null").then_some(i + 4),
        b'-' | b'0'..=b'9' => number_end(b, i),
        b'[' | b'{' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = value_end(b, j)?;
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => None,
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i)?,
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        let p = crate::compile("policy \"s\" schema { a: int, b: text, c: decimal? }").unwrap();
        p.schema.clone()
    }

    #[test]
    fn flat_objects_split_into_fields() {
        let s = schema();
        let mut out = Vec::new();
        fields(
            &s,
            r#" { "b": "x\"y", "zz": [1, {"q": 2}], "a": -12, "c": 1.5e3 } "#,
            &mut out,
        )
        .unwrap_or(());
        // an unknown nested field hands over to the general path
        assert!(fields(&s, r#"{"zz": [1]}"#, &mut out).is_none());
        let text = r#"{"a": 1, "zz": "skip", "b": "t", "c": null}"#;
        fields(&s, text, &mut out).unwrap();
        let got: Vec<(usize, &str)> = out.iter().map(|(s, a, b)| (*s, &text[*a..*b])).collect();
        assert_eq!(got, vec![(0, "1"), (1, "\"t\""), (2, "null")]);
    }

    #[test]
    fn what_json_forbids_goes_to_the_general_path() {
        let s = schema();
        let mut out = Vec::new();
        for bad in [
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": -}"#,
            r#"{"a": 1,}"#,
            r#"{"a": 1} x"#,
            "{\"b\": \"a\u{1}\"}",
            r#"{"a" 1}"#,
            "{",
            "",
        ] {
            assert!(fields(&s, bad, &mut out).is_none(), "{bad}");
        }
        assert!(fields(&s, "{}", &mut out).is_some());
    }
}
