//! Parquet and Arrow IPC for `eval`: telling the data's format (flag, extension, first
//! bytes), opening it with its columns checked, and `--format parquet` output. Without
//! the `arrow` feature, such data is refused with a message.

use std::io::{BufRead, Read};
use std::ops::ControlFlow;

use super::input::{prepare, prepare_run, DataArgs, DataFormatArg, Prepared};
use super::print_file_error;
use clearance::data::{DataFormat, InputError};
use clearance::run::{evaluate_parallel, Parallel, RecordResult, Summary};
use clearance::Params;

/// A columnar data format, as the command line knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columnar {
    Parquet,
    Arrow,
}

impl Columnar {
    pub fn title(self) -> &'static str {
        match self {
            Columnar::Parquet => "Parquet",
            Columnar::Arrow => "Arrow IPC",
        }
    }
}

/// Whether the data is Parquet or Arrow: by `--data-format`, else by the file's first
/// bytes, else by its extension. (Standard input needs the flag.)
pub fn columnar_format(data: &DataArgs) -> Option<Columnar> {
    match data.data_format {
        Some(DataFormatArg::Parquet) => return Some(Columnar::Parquet),
        Some(DataFormatArg::Arrow) => return Some(Columnar::Arrow),
        Some(_) => return None,
        None => {}
    }
    if data.path == "-" {
        return None;
    }
    let mut head = [0u8; 8];
    let n = std::fs::File::open(&data.path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = &head[..n];
    if head.starts_with(b"PAR1") {
        return Some(Columnar::Parquet);
    }
    if head.starts_with(b"ARROW1") || head.starts_with(&[0xFF; 4]) {
        return Some(Columnar::Arrow);
    }
    let ext = data.path.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "parquet" | "pq" => Some(Columnar::Parquet),
        "arrow" | "arrows" | "ipc" | "feather" => Some(Columnar::Arrow),
        _ => None,
    }
}

/// Where `eval`'s records come from.
pub enum Source {
    Text(DataFormat, Box<dyn BufRead + Send>),
    #[cfg(feature = "arrow")]
    Columnar(clearance::arrow::BatchReader),
}

impl Source {
    /// Runs the parallel evaluation over this source (see `evaluate_parallel`).
    pub fn evaluate<T: Send>(
        self,
        policy: &clearance::Policy,
        options: Parallel,
        render: &(dyn Fn(Vec<RecordResult>) -> T + Sync),
        sink: &mut dyn FnMut(T, &Summary) -> ControlFlow<()>,
    ) -> Result<Summary, InputError> {
        match self {
            Source::Text(format, input) => {
                evaluate_parallel(policy, format, input, options, render, sink)
            }
            #[cfg(feature = "arrow")]
            Source::Columnar(reader) => {
                clearance::arrow::evaluate_batches_parallel(policy, reader, options, render, sink)
                    .map_err(InputError::from)
            }
        }
    }
}

/// The compiled policy and its data, for `eval`: Parquet and Arrow data are opened and
/// their columns checked here, before any record is evaluated. Problems are printed.
pub fn prepare_eval(policy: &str, data: &DataArgs, params: &Params) -> Option<(Prepared, Source)> {
    let Some(columnar) = columnar_format(data) else {
        let (prepared, format, input) = prepare_run(policy, data, params)?;
        return Some((prepared, Source::Text(format, input)));
    };
    let prepared = prepare(policy, params)?;
    if data.csv_delimiter.is_some() {
        print_file_error(&format!(
            "--csv-delimiter applies to CSV data only, and `{}` is {} data",
            data.path,
            columnar.title()
        ));
        return None;
    }
    let source = open_columnar(&prepared.policy, data, columnar)?;
    Some((prepared, source))
}

#[cfg(feature = "arrow")]
fn open_columnar(policy: &clearance::Policy, data: &DataArgs, _: Columnar) -> Option<Source> {
    use clearance::arrow::{read_batches, BatchReader};
    let path = &data.path;
    let reader = if path == "-" {
        let stdin = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
        BatchReader::from_reader(stdin, policy)
    } else {
        read_batches(std::path::Path::new(path), policy)
    };
    match reader {
        Ok(r) => Some(Source::Columnar(r)),
        Err(e) => {
            let help = e.help().map(|h| format!("; {h}")).unwrap_or_default();
            print_file_error(&format!("{path}: {e}{help}"));
            None
        }
    }
}

#[cfg(not(feature = "arrow"))]
fn open_columnar(_: &clearance::Policy, data: &DataArgs, columnar: Columnar) -> Option<Source> {
    print_file_error(&format!(
        "`{}` is {} data, and this build of clearance has no Parquet or Arrow support \
         (the `arrow` feature); convert it to NDJSON or CSV",
        data.path,
        columnar.title()
    ));
    None
}

/// `--format parquet`: workers build tables of results, written as one Parquet file.
#[cfg(feature = "arrow")]
pub fn write_parquet(
    out: &mut dyn std::io::Write,
    written: &mut std::io::Result<()>,
    progress: &mut dyn FnMut(usize),
    policy: &clearance::Policy,
    source: Source,
    options: Parallel,
) -> Result<Summary, InputError> {
    use clearance::arrow::{ParquetResultsWriter, ResultsBuilder};
    let mut writer = match ParquetResultsWriter::new(out) {
        Ok(w) => Some(w),
        Err(e) => {
            *written = Err(e);
            None
        }
    };
    let render = |results: Vec<RecordResult>| {
        let mut builder = ResultsBuilder::new();
        results.iter().for_each(|r| builder.push(r));
        builder.finish()
    };
    let summary = source.evaluate(policy, options, &render, &mut |table, s| {
        if let (Some(w), Ok(())) = (writer.as_mut(), &written) {
            *written = w.write(&table);
        }
        if written.is_err() {
            return ControlFlow::Break(());
        }
        progress(s.records);
        ControlFlow::Continue(())
    });
    if let (Some(w), Ok(())) = (writer, &written) {
        *written = w.finish().map(|_| ());
    }
    summary
}

#[cfg(not(feature = "arrow"))]
pub fn write_parquet(
    _: &mut dyn std::io::Write,
    written: &mut std::io::Result<()>,
    _: &mut dyn FnMut(usize),
    _: &clearance::Policy,
    _: Source,
    _: Parallel,
) -> Result<Summary, InputError> {
    *written = Err(std::io::Error::other(
        "this build of clearance has no Parquet support (the `arrow` feature)",
    ));
    Ok(Summary::default())
}
