//! `clearance init [DIR]`: a starter policy with a rule of each kind and tests, sample
//! data in CSV and NDJSON, and a GitHub Actions workflow that checks and tests it.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{print_file_error, EXIT_INVALID, EXIT_OK};

/// Start a policy project: a starter policy, sample data and a CI workflow.
///
/// Writes `starter.policy` (a schema, one rule of each kind: require, deny, waitlist,
/// allow, warn and limit, and tests that make every rule fire), `data/sample.csv` and
/// `data/sample.ndjson`, and `.github/workflows/clearance.yml`. Nothing is overwritten:
/// when any of these files exists, nothing is written.
#[derive(Args)]
#[command(after_help = "Examples:
  clearance init                 # into the current folder
  clearance init import-rules    # into a new folder
  cd import-rules && clearance check starter.policy && clearance test starter.policy
  clearance eval starter.policy --data data/sample.csv

Exit codes: 0 the files were written; 2 one of them exists already, or cannot be written.")]
pub struct InitArgs {
    /// The folder to write into (created if needed).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

/// The files `init` writes: path under DIR, and contents.
pub const FILES: &[(&str, &str)] = &[
    ("starter.policy", STARTER_POLICY),
    ("data/sample.csv", SAMPLE_CSV),
    ("data/sample.ndjson", SAMPLE_NDJSON),
    (".github/workflows/clearance.yml", WORKFLOW),
];

pub fn run(args: InitArgs) -> u8 {
    let targets: Vec<(PathBuf, &str)> = FILES
        .iter()
        .map(|(name, text)| (args.dir.join(name), *text))
        .collect();
    let existing: Vec<String> = targets
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| format!("`{}`", path.display()))
        .collect();
    if !existing.is_empty() {
        print_file_error(&format!(
            "{} already exist{}; nothing was written (move {} away, or init another folder)",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" },
            if existing.len() == 1 { "it" } else { "them" }
        ));
        return EXIT_INVALID;
    }
    for (path, text) in &targets {
        if let Err(m) = write_new(path, text) {
            print_file_error(&m);
            return EXIT_INVALID;
        }
        to_stderr!("wrote {}", path.display());
    }
    to_stderr!(
        "next: clearance check {p} && clearance test {p}",
        p = args.dir.join("starter.policy").display()
    );
    EXIT_OK
}

/// Writes a file that must not exist yet (checked again here: another process may have
/// made it since).
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let shown = path.display();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot create `{shown}`: {e}"))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write `{shown}`: {e}"))
}

const STARTER_POLICY: &str = r#"# A starter import-control policy, written by `clearance init`: one rule of each kind,
# and tests that make every rule fire. Make it yours, then run
#   clearance check starter.policy      # types, names and lints
#   clearance test starter.policy       # the tests at the end
#   clearance eval starter.policy --data data/sample.csv
policy "starter" default deny

schema {
  id: text
  firm: text
  action: import | export
  item: H200 | H20
  units: int
  domestic_quota: percent  # share of the firm's spend on domestic hardware
  licensed: bool
  applied_on: date
}

# `require`: denies a record in its scope that does not meet the condition.
rule domestic_first:
  require domestic_quota >= 30% before import H200
  because "{firm} has {domestic_quota} domestic hardware; H200 imports need 30%"

# `deny`: without `when`, every record in its scope.
rule no_exports:
  deny export
  because "exports are not allowed"

# `waitlist`: the record waits for a later decision.
rule unlicensed:
  waitlist import when not licensed
  because "{firm} has no import licence yet"

# `allow`: the policy's default is deny, so imports need a rule that allows them.
rule licensed_imports:
  allow import when licensed

# `warn`: a warning only; it never changes the decision.
rule big_order:
  warn import when units > 10_000
  because "an order of {units} units: have a look"

# `limit`: the H200 imports of one batch share a cap, in order of application.
rule h200_cap:
  limit import H200 to 50_000 units order by applied_on else waitlist
  because "the H200 allocation of this batch is used up"

test "a licensed import is allowed" {
  given { id: "T-1", firm: "Alpha", action: import, item: H20, units: 500, domestic_quota: 10%,
          licensed: true, applied_on: 2026-01-05 }
  expect allow by licensed_imports
}

test "an H200 import needs 30% domestic hardware" {
  given { id: "T-2", firm: "Beta", action: import, item: H200, units: 500, domestic_quota: 12%,
          licensed: true, applied_on: 2026-01-05 }
  expect deny by domestic_first
}

test "exports are denied" {
  given { id: "T-3", firm: "Gamma", action: export, item: H20, units: 10, domestic_quota: 50%,
          licensed: true, applied_on: 2026-01-05 }
  expect deny by no_exports
}

test "an unlicensed firm waits" {
  given { id: "T-4", firm: "Delta", action: import, item: H20, units: 500, domestic_quota: 40%,
          licensed: false, applied_on: 2026-01-05 }
  expect waitlist by unlicensed
}

test "a big order is allowed with a warning" {
  given { id: "T-5", firm: "Epsilon", action: import, item: H20, units: 20_000, domestic_quota: 40%,
          licensed: true, applied_on: 2026-01-05 }
  expect allow by licensed_imports, big_order
}

test "the H200 cap goes to the earlier application" {
  given [
    { id: "T-6", firm: "Zeta", action: import, item: H200, units: 30_000, domestic_quota: 40%,
      licensed: true, applied_on: 2026-01-09 },
    { id: "T-7", firm: "Eta", action: import, item: H200, units: 30_000, domestic_quota: 40%,
      licensed: true, applied_on: 2026-01-02 },
  ]
  expect [waitlist by h200_cap, allow by licensed_imports]
}
"#;

const SAMPLE_CSV: &str = "id,firm,action,item,units,domestic_quota,licensed,applied_on
S-1,Alpha Cloud,import,H20,800,18%,true,2026-01-03
S-2,Beta Robotics,import,H200,12000,35%,true,2026-01-04
S-3,Gamma Health,import,H200,4000,22%,true,2026-01-05
S-4,Delta Motors,export,H20,50,60%,true,2026-01-06
S-5,Epsilon Labs,import,H20,2500,40%,false,2026-01-07
S-6,Zeta Finance,import,H200,45000,41%,true,2026-01-08
";

const SAMPLE_NDJSON: &str = r#"{"id": "S-1", "firm": "Alpha Cloud", "action": "import", "item": "H20", "units": 800, "domestic_quota": "18%", "licensed": true, "applied_on": "2026-01-03"}
{"id": "S-2", "firm": "Beta Robotics", "action": "import", "item": "H200", "units": 12000, "domestic_quota": "35%", "licensed": true, "applied_on": "2026-01-04"}
{"id": "S-3", "firm": "Gamma Health", "action": "import", "item": "H200", "units": 4000, "domestic_quota": "22%", "licensed": true, "applied_on": "2026-01-05"}
{"id": "S-4", "firm": "Delta Motors", "action": "export", "item": "H20", "units": 50, "domestic_quota": "60%", "licensed": true, "applied_on": "2026-01-06"}
{"id": "S-5", "firm": "Epsilon Labs", "action": "import", "item": "H20", "units": 2500, "domestic_quota": "40%", "licensed": false, "applied_on": "2026-01-07"}
{"id": "S-6", "firm": "Zeta Finance", "action": "import", "item": "H200", "units": 45000, "domestic_quota": "41%", "licensed": true, "applied_on": "2026-01-08"}
"#;

const WORKFLOW: &str = r#"# Checks and tests the Clearance policies of this repository on every push and pull
# request (written by `clearance init`; keep it in .github/workflows/ at the root of the
# repository). Problems appear as annotations on the pull request, and the test results
# as a JUnit report kept with the run.
name: clearance

on:
  push:
  pull_request:

jobs:
  policies:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      # Installs clearance from its source repository, whose address is the repository
      # variable CLEARANCE_GIT_URL (Settings, Secrets and variables, Actions). Replace
      # this with your own build or package if you have one.
      - uses: dtolnay/rust-toolchain@stable
      - run: cargo install --locked --git "${{ vars.CLEARANCE_GIT_URL }}" clearance
      - name: Check the policies
        run: clearance check --format github --deny-warnings .
      - name: Run the policies' tests
        run: clearance test --format junit --min-coverage 100 . > clearance-tests.xml
      - name: Keep the test report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: clearance-tests
          path: clearance-tests.xml
"#;
