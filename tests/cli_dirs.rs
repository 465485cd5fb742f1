//! `check`, `fmt` and `test` take folders as well as files.

mod common;

use common::run;

#[test]
fn check_and_fmt_search_folders_recursively() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("nested");
    std::fs::create_dir(&nested).unwrap();
    let good = std::fs::read_to_string("policies/domestic_quota.policy").unwrap();
    std::fs::write(dir.path().join("a.policy"), &good).unwrap();
    std::fs::write(
        nested.join("b.policy"),
        "policy \"x\"\nschema { id: txt }\n",
    )
    .unwrap();
    std::fs::write(nested.join("notes.txt"), "not a policy").unwrap();
    let root = dir.path().to_str().unwrap();

    let (code, _, stderr) = run(&["check", root]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("a.policy: ok"), "{stderr}");
    assert!(stderr.contains("b.policy"), "{stderr}");
    assert!(!stderr.contains("notes.txt"), "{stderr}");

    std::fs::write(nested.join("b.policy"), &good).unwrap();
    assert_eq!(run(&["check", root]).0, 0);
    assert_eq!(run(&["fmt", "--check", root]).0, 0);
    std::fs::write(nested.join("b.policy"), good.replace("\n  ", "\n      ")).unwrap();
    let (code, stdout, _) = run(&["fmt", "--check", root]);
    assert_eq!(code, 1);
    assert!(stdout.contains("b.policy (formatted)"), "{stdout}");
    assert_eq!(run(&["fmt", root]).0, 0);
    assert_eq!(
        std::fs::read_to_string(nested.join("b.policy")).unwrap(),
        good
    );
}

#[test]
fn a_folder_without_policies_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["check", "fmt", "test"] {
        let (code, _, stderr) = run(&[command, dir.path().to_str().unwrap()]);
        assert_eq!(code, 2, "{command}");
        assert!(
            stderr.contains("no `.policy` files found in"),
            "{command}: {stderr}"
        );
    }
}
