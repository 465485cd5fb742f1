// Each test file that includes this module uses only part of it.
#![allow(dead_code)]

//! Helpers shared by the CLI tests.

use assert_cmd::Command;

/// Runs `clearance ARGS` in the project folder, without colour: exit code, stdout, stderr.
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = clearance().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The `clearance` command, in the project folder, without colour.
pub fn clearance() -> Command {
    let mut c = Command::cargo_bin("clearance").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}
