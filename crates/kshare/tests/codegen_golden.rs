//! Code export golden files: the Python and Java programs for every scenario in `examples/`,
//! every preset, every lesson with its "try this" steps performed, and the every-action fixtures
//! under `tests/fixtures/`, compared byte for byte with `tests/golden/<name>.{py,java}.golden`
//! (data, not source: the `.golden` ending keeps linters and test collectors away from them).
//!
//! A change to the generated code shows up here as a diff. When it is intended, regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p kshare --test codegen_golden` and review the diff of `golden/`.

use kshare::codegen::{java, python};
use kshare::{lessons, presets};
use ksim::{Scenario, TimedAction};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn from_file(path: &Path) -> Scenario {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Golden name → scenario.
fn inputs() -> BTreeMap<String, Scenario> {
    let mut out = BTreeMap::new();
    for p in json_files(&manifest().join("../../examples")) {
        out.insert(format!("example-{}", stem(&p)), from_file(&p));
    }
    for p in json_files(&manifest().join("tests/fixtures")) {
        out.insert(format!("fixture-{}", stem(&p)), from_file(&p));
    }
    for p in presets::all() {
        out.insert(format!("preset-{}", p.id), p.scenario());
    }
    // A learner's session records each action at its virtual time: the lesson's scenario with
    // the "try this" steps appended as they would be recorded.
    for l in lessons::all() {
        let mut s = l.scenario();
        let mut at = s.actions.iter().map(|a| a.at_ms).fold(0.0, f64::max);
        for step in l.try_this().steps {
            at += step.after_ms;
            s.actions.push(TimedAction {
                at_ms: at,
                action: step.action,
            });
        }
        out.insert(format!("lesson-try-{}", l.id), s);
    }
    out
}

#[test]
fn generated_code_matches_the_golden_files() {
    let dir = manifest().join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut expected_files = Vec::new();
    let mut mismatches = Vec::new();
    for (name, s) in inputs() {
        for (ext, code) in [("py", python(&s)), ("java", java(&s))] {
            let file = format!("{name}.{ext}.golden");
            let path = dir.join(&file);
            expected_files.push(file.clone());
            if update {
                fs::create_dir_all(&dir).unwrap();
                fs::write(&path, &code).unwrap();
            } else if fs::read_to_string(&path).ok().as_deref() != Some(code.as_str()) {
                mismatches.push(file);
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "generated code differs from tests/golden/ for {mismatches:?}; if intended, rerun with \
         UPDATE_GOLDEN=1 and review the diff"
    );
    // No stale golden files for inputs that are gone.
    let mut present: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    expected_files.sort();
    assert_eq!(
        present, expected_files,
        "stale or missing files in tests/golden/"
    );
}
