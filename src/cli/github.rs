//! `check --format github`: GitHub Actions workflow commands, which the runner turns into
//! annotations on the files of a pull request:
//! `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=CODE::MESSAGE`.
//!
//! Lines and columns are 1-based, columns in characters; `endColumn` is the column just
//! after the last character. Messages escape `%`, carriage returns and line breaks, and
//! property values `:` and `,` too, as the runner requires.

use std::io::{self, Write};

use super::check::Checked;
use super::Out;
use clearance::diagnostics::{Diagnostic, Severity};
use clearance::span::line_col;

/// One workflow command per diagnostic.
pub fn annotations(out: &mut Out, files: &[Checked]) -> io::Result<()> {
    for file in files {
        for d in &file.diagnostics {
            writeln!(out, "{}", command(d, file))?;
        }
    }
    Ok(())
}

fn command(d: &Diagnostic, file: &Checked) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = vec![("file", file.source.name.clone())];
    if file.readable {
        let span = d.span();
        let text = &file.source.text;
        let (line, col) = line_col(text, span.start);
        let (end_line, end_col) = line_col(text, span.end.max(span.start));
        properties.extend([
            ("line", line.to_string()),
            ("col", col.to_string()),
            ("endLine", end_line.to_string()),
            ("endColumn", end_col.to_string()),
        ]);
    }
    properties.push(("title", d.code.as_str().to_string()));
    let properties: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{kind} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// A message: `%`, `\r` and `\n` percent-encoded.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as a message, and `:` and `,` too.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_as_the_runner_requires() {
        assert_eq!(escape_data("50% of\r\nit: a, b"), "50%25 of%0D%0Ait: a, b");
        assert_eq!(
            escape_property("clearance::type::mismatch, 50%"),
            "clearance%3A%3Atype%3A%3Amismatch%2C 50%25"
        );
    }
}
