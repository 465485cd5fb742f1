//! The embedding path: records a program already holds parsed (`serde_json::Value`s, or
//! any serde `Deserializer`) evaluated without a text round trip, with the validation and
//! the messages of the JSON text decoder (see `data/serde_in.rs`).

use serde::Deserializer;

use crate::data::{decode_json_value, json_value_id, RowSeed};
use crate::eval::{allocate, Policy};
use crate::outcome::{Outcome, RecordError};
use crate::run::{RecordResult, Report, Summary};
use crate::value::Value;

impl Policy {
    /// Decodes a record held as a `serde_json::Value` (an object) into a row of slot
    /// values in schema order, or every problem of it (one [`RecordError`] per bad or
    /// missing field): what [`data::decode_json`](crate::data::decode_json) gives for the
    /// record's JSON text. Unknown fields are ignored.
    pub fn decode_value(&self, record: &serde_json::Value) -> Result<Vec<Value>, Vec<RecordError>> {
        decode_json_value(&self.schema, record)
    }

    /// Decodes one record from any serde `Deserializer` (say
    /// `serde_json::Deserializer::from_str`, or serde_yaml's); the outer `Err` is what
    /// the deserializer itself could not read, the inner one the record's problems.
    pub fn decode_from<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
    ) -> Result<Result<Vec<Value>, Vec<RecordError>>, D::Error> {
        serde::de::DeserializeSeed::deserialize(
            RowSeed {
                schema: &self.schema,
            },
            deserializer,
        )
    }

    /// Evaluates the per-record rules on a record held as a `serde_json::Value`; a record
    /// that cannot be decoded gets the decision `error`, with its problems. (`limit`
    /// rules need the whole batch: see [`Policy::evaluate_values`].)
    pub fn evaluate_value(&self, record: &serde_json::Value) -> Outcome {
        match self.decode_value(record) {
            Ok(row) => self.evaluate_row(&row),
            Err(errors) => Outcome::data_errors(errors),
        }
    }

    /// Like [`Policy::evaluate_value`], reading the record from a serde `Deserializer`.
    pub fn evaluate_deserializer<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
    ) -> Result<Outcome, D::Error> {
        Ok(match self.decode_from(deserializer)? {
            Ok(row) => self.evaluate_row(&row),
            Err(errors) => Outcome::data_errors(errors),
        })
    }

    /// Evaluates a batch of records held as `serde_json::Value`s, `limit` allocation
    /// included: the [`Report`] that [`evaluate_all`](crate::evaluate_all) gives for the
    /// same records as NDJSON (without line numbers).
    pub fn evaluate_values(&self, records: &[serde_json::Value]) -> Report {
        let limits = self.has_limits();
        let mut candidates = Vec::new();
        // With `limit` rules the rows wait for the allocation: the records are in memory
        // already, and an allotment is applied to its record's row.
        let mut rows: Vec<Option<Vec<Value>>> = Vec::new();
        let mut results: Vec<RecordResult> = records
            .iter()
            .enumerate()
            .map(|(i, record)| {
                let position = i + 1;
                let (label, outcome) = match self.decode_value(record) {
                    Ok(row) => {
                        let label = self.label(&row, position);
                        let mut outcome = self.evaluate_row(&row);
                        if limits {
                            self.push_candidates(i, &row, &mut outcome, &mut candidates);
                            rows.push(Some(row));
                        }
                        (label, outcome)
                    }
                    Err(errors) => {
                        if limits {
                            rows.push(None);
                        }
                        (
                            json_value_id(&self.schema, record)
                                .unwrap_or_else(|| format!("#{position}")),
                            Outcome::data_errors(errors),
                        )
                    }
                };
                RecordResult {
                    record: label,
                    position,
                    line: None,
                    outcome,
                    explain: None,
                }
            })
            .collect();
        let mut summary = Summary::default();
        if limits {
            let allocation = allocate(self, candidates);
            for allotment in allocation.allotments() {
                let i = allotment.record;
                if let (Some(Some(row)), Some(result)) = (rows.get(i), results.get_mut(i)) {
                    self.allot(&allotment, row, &mut result.outcome);
                }
            }
            let label = |i: usize| results[i].record.clone();
            summary.allocations = allocation.reports(self, Some(&label));
        }
        results.iter().for_each(|r| summary.add(r));
        Report {
            policy: self.name.clone(),
            params: self.params_used().into_iter().collect(),
            summary,
            results,
        }
    }
}
