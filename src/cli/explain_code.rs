//! `clearance explain-code CODE`: a diagnostic code's section of docs/diagnostics.md.

use std::io::Write;

use clap::Args;

use super::{print_file_error, EXIT_INVALID, EXIT_OK};
use clearance::diagnostics::{did_you_mean, one_of, Code};

/// The page that documents every code, one section per code (tests/diagnostics_doc.rs).
pub(super) const DOC: &str = include_str!("../../docs/diagnostics.md");

/// Explain a diagnostic code: what it means, an example that raises it, and the fix.
///
/// Every diagnostic of `clearance check` and `clearance test` has a stable code, printed above
/// its message (`clearance::type::mismatch`) and given as `code` in `--format json`. This
/// prints the code's section of docs/diagnostics.md: why it is an error, what commonly causes
/// it, an example policy that raises it and the fixed version.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  clearance explain-code clearance::type::mismatch\n  clearance explain-code mismatch      # the last part, when no other code ends the same way\n  clearance explain-code --list       # every code\n\nExit codes: 0 the code was explained; 2 no such code, or more than one code ends that way."
)]
pub struct ExplainCodeArgs {
    /// The code as printed above a diagnostic (`clearance::type::mismatch`), or its end
    /// (`type::mismatch`, `mismatch`) when no other code ends the same way.
    #[arg(value_name = "CODE", required_unless_present = "list")]
    pub code: Option<String>,
    /// Print every code, one per line, in the order of docs/diagnostics.md.
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
}

pub fn run(args: ExplainCodeArgs) -> u8 {
    let mut out = std::io::stdout().lock();
    if args.list {
        for code in Code::ALL {
            let _ = writeln!(out, "{code}");
        }
        return EXIT_OK;
    }
    let wanted = args.code.unwrap_or_default();
    let code = match resolve(wanted.trim()) {
        Ok(code) => code,
        Err(message) => {
            print_file_error(&message);
            return EXIT_INVALID;
        }
    };
    match section(DOC, code.as_str()) {
        Some(body) => {
            let _ = write!(out, "{code}\n\n{}", plain(body));
            EXIT_OK
        }
        None => {
            // tests/diagnostics_doc.rs checks that every code has a section.
            print_file_error(&format!("`{code}` has no section in docs/diagnostics.md"));
            EXIT_INVALID
        }
    }
}

/// The code that `wanted` names: the full code, or the end of exactly one code.
fn resolve(wanted: &str) -> Result<Code, String> {
    let lower = wanted.to_lowercase();
    let suffix = format!("::{lower}");
    let found: Vec<Code> = Code::ALL
        .iter()
        .copied()
        .filter(|c| c.as_str() == lower || c.as_str().ends_with(&suffix))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let hint = match suggest(&lower) {
                Some(codes) => format!("; did you mean {}?", one_of(&codes)),
                None => "; `clearance explain-code --list` prints every code".to_string(),
            };
            Err(format!("no diagnostic code `{wanted}`{hint}"))
        }
        many => {
            let names: Vec<&str> = many.iter().map(|c| c.as_str()).collect();
            Err(format!(
                "`{wanted}` could be {}; give the full code",
                one_of(&names)
            ))
        }
    }
}

/// The codes closest to a misspelt one: by the whole code when it has `::`, else by the last
/// part (which two codes may share).
fn suggest(wanted: &str) -> Option<Vec<&'static str>> {
    let codes = Code::ALL.iter().map(|c| c.as_str());
    if wanted.contains("::") {
        return did_you_mean(wanted, codes).map(|c| vec![c]);
    }
    let last = |c: &'static str| c.rsplit("::").next().unwrap_or(c);
    let guess = did_you_mean(wanted, codes.clone().map(last))?;
    Some(codes.filter(|c| last(c) == guess).collect())
}

/// The text under the heading `code`, up to the next heading (headings inside code blocks
/// are comments of the examples).
pub(super) fn section<'a>(doc: &'a str, code: &str) -> Option<&'a str> {
    let mut in_code = false;
    let mut start = None;
    let mut offset = 0;
    for line in doc.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            if let Some(start) = start {
                return Some(&doc[start..here]);
            }
            if line.trim_start_matches('#').trim() == code {
                start = Some(offset);
            }
        }
    }
    start.map(|start| &doc[start..])
}

/// A section as plain text: each example indented by four spaces instead of fenced.
pub(super) fn plain(markdown: &str) -> String {
    let mut out = String::new();
    let mut example: Option<Vec<&str>> = None;
    for line in markdown.trim().lines() {
        let fence = line.starts_with("```");
        if let Some(lines) = example.as_mut() {
            if fence {
                push_example(&mut out, lines);
                example = None;
            } else {
                lines.push(line);
            }
        } else if fence {
            example = Some(Vec::new());
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// An example as the whole file it stands for, so that it can be checked as shown: the page
/// leaves out the `policy` header of most examples, and this puts the standard one back.
fn push_example(out: &mut String, lines: &[&str]) {
    let first_code = lines
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    let header: &[&str] = match first_code {
        Some(l) if !l.starts_with("policy ") => &["policy \"example\"", ""],
        _ => &[],
    };
    for line in header.iter().chain(lines) {
        if !line.is_empty() {
            out.push_str("    ");
            out.push_str(line);
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_ends_at_the_next_heading_but_not_at_a_comment_in_an_example() {
        let doc = "# Codes\n\n### a::b\n\nText.\n\n```policy\n# a comment\nrule x\n```\n\n### a::c\n\nOther.\n";
        let body = section(doc, "a::b").expect("a section");
        assert_eq!(
            plain(body),
            "Text.\n\n    policy \"example\"\n\n    # a comment\n    rule x\n"
        );
        let whole = "```policy\npolicy \"p\"\nschema { a: int }\n```\n";
        assert_eq!(plain(whole), "    policy \"p\"\n    schema { a: int }\n");
        assert_eq!(section(doc, "a::c"), Some("\nOther.\n"));
        assert_eq!(section(doc, "a::d"), None);
    }

    #[test]
    fn a_code_is_found_by_its_end_when_that_is_unique() {
        assert_eq!(resolve("mismatch"), Ok(Code::Mismatch));
        assert_eq!(resolve("Type::Mismatch"), Ok(Code::Mismatch));
        assert_eq!(resolve("clearance::type::mismatch"), Ok(Code::Mismatch));
        assert!(resolve("unknown_field").is_err());
        assert!(resolve("").is_err());
        assert!(resolve("::").is_err());
    }
}
