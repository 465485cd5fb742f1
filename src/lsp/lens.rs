//! A "run this test" code lens on each `test` of a valid policy, and the command it
//! runs: the test's result is shown as a message.

use lsp_types::{CodeLens, Command, MessageType, ShowMessageParams, Uri};

use crate::testing::{describe_actual, run_tests};

use super::analysis::Analysis;

/// The command of the lens: arguments are the document's URI and the test's name.
pub const RUN_TEST: &str = "clearance.runTest";

pub fn code_lenses(a: &Analysis, uri: &Uri) -> Vec<CodeLens> {
    let Some(policy) = a.policy.as_ref().filter(|_| a.valid) else {
        return Vec::new();
    };
    policy
        .tests()
        .map(|t| CodeLens {
            range: a.lines.range(&a.text, t.name.span),
            command: Some(Command {
                title: "▶ run test".into(),
                command: RUN_TEST.into(),
                arguments: Some(vec![
                    serde_json::json!(uri.as_str()),
                    serde_json::json!(t.name.node),
                ]),
            }),
            data: None,
        })
        .collect()
}

/// Runs the test named `name`; what to tell the author.
pub fn run_test(a: &Analysis, name: &str) -> ShowMessageParams {
    let message = |typ, message: String| ShowMessageParams { typ, message };
    let compiled = a
        .valid
        .then(|| crate::ast::Policy::parse(&a.text).ok())
        .flatten()
        .and_then(|p| {
            crate::eval::Policy::bind(std::sync::Arc::new(p), &crate::check::Params::new()).ok()
        });
    let Some(policy) = compiled else {
        return message(
            MessageType::ERROR,
            "the policy has errors: fix them to run its tests".into(),
        );
    };
    let report = run_tests(&policy, Some(name));
    let Some(result) = report.results.iter().find(|r| r.name == name) else {
        return message(
            MessageType::ERROR,
            format!("there is no test named \"{name}\""),
        );
    };
    if result.passed {
        return message(MessageType::INFO, format!("test \"{name}\" passed"));
    }
    let failures: Vec<String> = result
        .failures
        .iter()
        .map(|f| {
            format!(
                "record {}: expected {}, got {}",
                f.record,
                f.expected,
                describe_actual(&f.actual)
            )
        })
        .collect();
    message(
        MessageType::ERROR,
        format!("test \"{name}\" failed: {}", failures.join("; ")),
    )
}
