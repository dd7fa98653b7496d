//! Lessons (filled in below).
use ksim::{Action, SimError, Simulation};

/// A lesson.
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub scenario_json: &'static str,
}

/// The "try this" step.
pub struct TryThis {
    pub instruction: &'static str,
    pub steps: Vec<(f64, Action)>,
}

/// Outcome of a lesson check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub passed: bool,
    pub message: String,
}

impl Lesson {
    pub fn check(&self, _sim: &Simulation) -> CheckResult {
        CheckResult {
            passed: false,
            message: String::new(),
        }
    }
}

static LESSONS: [Lesson; 0] = [];

pub fn all() -> &'static [Lesson] {
    &LESSONS
}

pub fn get(id: &str) -> Option<&'static Lesson> {
    all().iter().find(|l| l.id == id)
}

#[allow(dead_code)]
fn _unused(_: SimError) {}
