//! Parquet and Arrow IPC for `eval`: telling the data's format (flag, extension, first
//! bytes), opening it with its columns checked, and `--format parquet` output. Without
//! the `arrow` feature, such data is refused with a message.

use std::io::Read;
use std::ops::ControlFlow;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use super::input::{prepare, prepare_run, DataArgs, DataFormatArg, DataSource, Prepared};
use super::print_file_error;
use clearance::data::{DataFormat, InputError};
use clearance::run::{
    evaluate_rendered, evaluate_source, render_results, Fields, Parallel, RecordResult, Rendering,
    Stage, Summary,
};
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
    Text(DataFormat, DataSource),
    #[cfg(feature = "arrow")]
    Columnar(clearance::arrow::BatchReader),
}

impl Source {
    /// What the progress line reads: the bytes read so far, of how many (text data
    /// only; columnar data shows records and rate).
    pub fn counted(&self) -> (Arc<AtomicU64>, Option<u64>) {
        match self {
            Source::Text(_, input) => (input.read.clone(), input.size),
            #[cfg(feature = "arrow")]
            Source::Columnar(_) => (Arc::new(AtomicU64::new(0)), None),
        }
    }

    /// Evaluates and renders to NDJSON or CSV bytes: without `limit` rules and
    /// explanations, text data takes the streaming path that builds no result per record
    /// (`evaluate_rendered`); everything else renders whole results.
    pub fn evaluate_rendered(
        self,
        policy: &clearance::Policy,
        options: Parallel,
        rendering: Rendering,
        fields: Fields,
        progress: &mut dyn FnMut(Stage, usize),
        sink: &mut dyn FnMut(&[u8], &Summary) -> ControlFlow<()>,
    ) -> Result<Summary, InputError> {
        match self {
            Source::Text(format, input)
                if !policy.has_limits() && options.explain_source.is_none() =>
            {
                let reader = clearance::Source::open(&input).map_err(|e| InputError {
                    message: format!("cannot read the data: {e}"),
                    line: None,
                    column: None,
                })?;
                let sink = &mut |bytes: &[u8], s: &Summary| {
                    progress(Stage::Writing, s.records);
                    sink(bytes, s)
                };
                evaluate_rendered(policy, format, reader, options, rendering, fields, sink)
            }
            source => {
                let render = |results: Vec<RecordResult>| {
                    render_results(policy, rendering, fields, &results)
                };
                source.evaluate(policy, options, progress, &render, &mut |b, s| sink(&b, s))
            }
        }
    }

    /// Runs the parallel evaluation over this source (see `evaluate_source`).
    pub fn evaluate<T: Send>(
        self,
        policy: &clearance::Policy,
        options: Parallel,
        progress: &mut dyn FnMut(Stage, usize),
        render: &(dyn Fn(Vec<RecordResult>) -> T + Sync),
        sink: &mut dyn FnMut(T, &Summary) -> ControlFlow<()>,
    ) -> Result<Summary, InputError> {
        match self {
            Source::Text(format, input) => {
                evaluate_source(policy, format, &input, options, progress, render, sink)
            }
            #[cfg(feature = "arrow")]
            Source::Columnar(reader) => clearance::arrow::evaluate_batches_parallel(
                policy,
                reader,
                options,
                render,
                &mut |out, s| {
                    progress(Stage::Reading, s.records);
                    sink(out, s)
                },
            )
            .map_err(InputError::from),
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
    progress: &mut dyn FnMut(Stage, usize),
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
    let summary = source.evaluate(policy, options, progress, &render, &mut |table, _| {
        if let (Some(w), Ok(())) = (writer.as_mut(), &written) {
            *written = w.write(&table);
        }
        if written.is_err() {
            return ControlFlow::Break(());
        }
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
    _: &mut dyn FnMut(Stage, usize),
    _: &clearance::Policy,
    _: Source,
    _: Parallel,
) -> Result<Summary, InputError> {
    *written = Err(std::io::Error::other(
        "this build of clearance has no Parquet support (the `arrow` feature)",
    ));
    Ok(Summary::default())
}
