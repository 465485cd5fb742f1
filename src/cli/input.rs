//! What the commands read: policy files (one, or folders of them), data files or
//! standard input, and the data format; problems are printed here, once.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{print_diagnostics, print_file_error};
use clearance::data::{CsvDelimiter, DataFormat, InputError};
use clearance::diagnostics::{Code, Diagnostic, SourceFile};
use clearance::Params;

/// The data formats on the command line (the library's [`DataFormat`], for clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DataFormatArg {
    /// A JSON array of objects.
    Json,
    /// One JSON object per line (also `.jsonl`).
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
    /// Apache Parquet (`eval` only).
    Parquet,
    /// Arrow IPC, file or stream format (`eval` only).
    Arrow,
}

impl DataFormatArg {
    /// The library's text format; `None` for Parquet and Arrow (see `columnar.rs`).
    pub fn text(self) -> Option<DataFormat> {
        match self {
            DataFormatArg::Json => Some(DataFormat::Json),
            DataFormatArg::Ndjson => Some(DataFormat::Ndjson),
            DataFormatArg::Csv => Some(DataFormat::Csv(CsvDelimiter::Comma)),
            DataFormatArg::Parquet | DataFormatArg::Arrow => None,
        }
    }
}

/// Reads a policy file; an unreadable or non-UTF-8 file is reported like a diagnostic.
pub fn read_policy(path: &str) -> Result<SourceFile, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path, text)),
        Err(e) => Err(format!(
            "`{path}` is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        )),
    }
}

/// The policy files named on the command line: files as given, folders searched
/// recursively for `*.policy` (in name order). A folder without any is an error.
pub fn policy_files(paths: &[String]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if p.extension().is_some_and(|e| e == "policy") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if path.is_dir() {
            let before = files.len();
            walk(path, &mut files).map_err(|e| format!("cannot read `{p}`: {e}"))?;
            if files.len() == before {
                return Err(format!("no `.policy` files found in `{p}`"));
            }
        } else {
            files.push(path.to_path_buf());
        }
    }
    Ok(files)
}

/// The compiled policy and its source: what `eval`, `explain` and `diff` start from.
pub struct Prepared {
    pub source: SourceFile,
    pub policy: clearance::Policy,
}

/// `--set NAME=VALUE`, repeatable: values for params and `today` in this run.
#[derive(Args, Clone, Default)]
pub struct SetArgs {
    /// Set a param, or `today`, for this run: `--set cap=500_000 --set today=2026-01-29`.
    /// The value is read as a literal of the param's type (`25%`, `2026-02-01`, `true`);
    /// a `text` param takes the text as it is.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
}

fn parse_set(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!("`{s}` is not `NAME=VALUE`, such as `cap=500_000`")),
    }
}

impl SetArgs {
    /// The values as the library takes them.
    pub fn params(&self) -> Params {
        let mut p = Params::new();
        for (name, value) in &self.set {
            p.set(name.clone(), value.clone());
        }
        p
    }
}

/// Prints a policy's diagnostics; a value given with `--set` that names no param has
/// no place in the file, so it is one line.
pub fn print_compile_errors(diagnostics: &[Diagnostic], source: &SourceFile) {
    let (unplaced, placed): (Vec<Diagnostic>, Vec<Diagnostic>) =
        diagnostics.iter().cloned().partition(|d| {
            d.code == Code::ParamUnknown || (d.code == Code::ParamValue && d.span().is_empty())
        });
    for d in &unplaced {
        let help = d
            .help
            .as_deref()
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        print_file_error(&format!("--set: {}{help}", d.message));
    }
    print_diagnostics(&placed, source);
}

/// Reads and compiles a policy with `params`, printing its diagnostics; `None` when it
/// has errors.
pub fn prepare(path: &str, params: &Params) -> Option<Prepared> {
    let source = match read_policy(path) {
        Ok(s) => s,
        Err(m) => {
            print_file_error(&m);
            return None;
        }
    };
    match clearance::compile_with(&source.text, params) {
        Ok(policy) => Some(Prepared { source, policy }),
        Err(d) => {
            print_compile_errors(&d, &source);
            let params_only = d.iter().all(|d| {
                matches!(
                    d.code,
                    Code::ParamUnknown | Code::ParamValue | Code::ParamMissing
                )
            });
            match params_only {
                true => to_stderr!(
                    "{path}: the values given for its params do not fit; nothing was evaluated"
                ),
                false => to_stderr!("{path}: the policy has errors; nothing was evaluated"),
            }
            None
        }
    }
}

/// Where the records come from: what `eval`, `explain` and `diff` share.
#[derive(Args)]
pub struct DataArgs {
    /// The data file (`.json`, `.ndjson`/`.jsonl`, `.csv`; for `eval` also `.parquet`,
    /// `.arrow`/`.arrows`/`.ipc`), or `-` for standard input.
    #[arg(long = "data", value_name = "FILE")]
    pub path: String,
    /// The data format, when the file name does not tell (required for `-`).
    #[arg(long, value_enum)]
    pub data_format: Option<DataFormatArg>,
    /// The character between CSV cells: `,` (the default), `;`, `tab` or `|`.
    #[arg(long, value_name = "DELIMITER", value_parser = parse_delimiter)]
    pub csv_delimiter: Option<CsvDelimiter>,
}

fn parse_delimiter(s: &str) -> Result<CsvDelimiter, String> {
    CsvDelimiter::parse(s)
        .ok_or_else(|| format!("`{s}` is not a CSV delimiter; use `,`, `;`, `tab` or `|`"))
}

/// The data's format, from the flags or the file name; problems are printed.
pub fn data_format(data: &DataArgs) -> Option<DataFormat> {
    let path = &data.path;
    if let Some(f) = super::columnar::columnar_format(data) {
        print_file_error(&format!(
            "`{path}` is {} data, which only `eval` reads; convert it to NDJSON or CSV",
            f.title()
        ));
        return None;
    }
    let flag = data.data_format.and_then(DataFormatArg::text);
    let Some(format) = flag.or_else(|| DataFormat::from_path(path)) else {
        print_file_error(&format!(
            "cannot tell the format of `{path}` from its name; pass --data-format json, ndjson or csv"
        ));
        return None;
    };
    match (format, data.csv_delimiter) {
        (DataFormat::Csv(_), Some(d)) => Some(DataFormat::Csv(d)),
        (_, None) => Some(format),
        (other, Some(_)) => {
            print_file_error(&format!(
                "--csv-delimiter applies to CSV data only, and `{path}` is read as {}",
                other.name()
            ));
            None
        }
    }
}

/// Prints an input error with the data file's name and the place: `FILE:LINE:COLUMN: …`.
pub fn print_input_error(path: &str, e: &InputError) {
    print_file_error(&format!("{path}{}: {}", e.location(), e.message));
}

/// Opens the data file (`-`: standard input).
pub fn open_data(path: &str) -> Option<Box<dyn BufRead + Send>> {
    if path == "-" {
        return Some(Box::new(BufReader::with_capacity(1 << 16, io::stdin())));
    }
    match File::open(path) {
        Ok(f) => Some(Box::new(BufReader::with_capacity(1 << 16, f))),
        Err(e) => {
            print_file_error(&format!("cannot read `{path}`: {e}"));
            None
        }
    }
}

/// The compiled policy, the data's format and the open data: what `eval` and
/// `explain` start from. Problems are printed; `None` then.
pub fn prepare_run(
    policy: &str,
    data: &DataArgs,
    params: &Params,
) -> Option<(Prepared, DataFormat, Box<dyn BufRead + Send>)> {
    let prepared = prepare(policy, params)?;
    let format = data_format(data)?;
    Some((prepared, format, open_data(&data.path)?))
}
