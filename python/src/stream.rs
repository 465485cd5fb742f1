//! Arrow data in and out through the Arrow C stream interface (the PyCapsule protocol):
//! `__arrow_c_stream__` on the way in, an object with `__arrow_c_stream__` on the way out.
//! Batches cross without a copy.

use std::ffi::CStr;
use std::sync::Mutex;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::RecordBatchReader;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

const STREAM: &CStr = c"arrow_array_stream";

/// Reads `data` as a stream of record batches: anything with `__arrow_c_stream__`
/// (pyarrow, polars, DuckDB, ...), or a pandas DataFrame (through pyarrow).
pub fn import(data: &Bound<'_, PyAny>) -> PyResult<RecordBatchStreamReader> {
    let py = data.py();
    let data = if data.hasattr("__arrow_c_stream__")? {
        data.clone()
    } else if is_pandas(data)? {
        let pa = PyModule::import(py, "pyarrow")?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("preserve_index", false)?;
        pa.getattr("Table")?
            .call_method("from_pandas", (data,), Some(&kwargs))?
    } else {
        let ty = data.get_type().name()?.to_string();
        return Err(PyTypeError::new_err(format!(
            "cannot read a `{ty}` as Arrow data: give a pyarrow Table or RecordBatchReader, a \
             polars or pandas DataFrame, a DuckDB result or any object with `__arrow_c_stream__`"
        )));
    };
    let capsule = data.call_method0("__arrow_c_stream__")?;
    let capsule = capsule
        .downcast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("`__arrow_c_stream__` did not return a PyCapsule"))?;
    if capsule.name()? != Some(STREAM) {
        return Err(PyValueError::new_err(
            "`__arrow_c_stream__` returned a capsule that is not named `arrow_array_stream`",
        ));
    }
    let raw = capsule.pointer() as *mut FFI_ArrowArrayStream;
    // SAFETY: the capsule is named `arrow_array_stream`, so by the PyCapsule protocol it
    // holds a valid ArrowArrayStream; `from_raw` moves it out and leaves a released one
    // behind, which the capsule's destructor then ignores.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(raw) };
    RecordBatchStreamReader::try_new(stream).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn is_pandas(data: &Bound<'_, PyAny>) -> PyResult<bool> {
    let module: String = data.get_type().getattr("__module__")?.extract()?;
    Ok(module.starts_with("pandas."))
}

/// A stream of results for Python: `pyarrow.table(stream)` or
/// `pyarrow.RecordBatchReader.from_stream(stream)` reads it, once.
#[pyclass(module = "clearance", frozen)]
pub struct ResultStream {
    reader: Mutex<Option<Box<dyn RecordBatchReader + Send>>>,
}

impl ResultStream {
    pub fn new(reader: Box<dyn RecordBatchReader + Send>) -> ResultStream {
        ResultStream {
            reader: Mutex::new(Some(reader)),
        }
    }
}

#[pymethods]
impl ResultStream {
    /// The Arrow C stream of the results (the PyCapsule protocol). The schema cannot be
    /// changed on request: `requested_schema` is accepted and ignored, as the protocol allows.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = self
            .reader
            .lock()
            .map_err(|_| PyValueError::new_err("the result stream is broken"))?
            .take()
            .ok_or_else(|| PyValueError::new_err("the result stream was already read"))?;
        let stream = FFI_ArrowArrayStream::new(reader);
        // Dropping an FFI_ArrowArrayStream releases it unless a consumer moved it out.
        PyCapsule::new(py, stream, Some(STREAM.to_owned()))
    }
}
