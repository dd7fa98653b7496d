//! Scenarios beyond the simulator: share links, the lessons of the lecture, and the real client
//! code for a scenario. No web dependencies; builds for `wasm32-unknown-unknown`.
//!
//! # Public API (what the UI calls)
//! - Links ([`link`]): [`encode_link`]`(&Scenario, &UiState) -> String` gives the fragment
//!   payload `s=1.…`; [`decode_link`]`(&str) -> Result<Decoded, LinkError>`;
//!   [`exceeds_share_limit`]`(&str) -> bool` (above 2,000 characters).
//! - Presets ([`presets`]): [`presets::default_scenario`], [`presets::get`].
//! - Lessons ([`lessons`]): [`lessons::all`], [`lessons::get`]; each [`Lesson`] has
//!   [`Lesson::scenario`], `title`, `text`, `quiz`, [`Lesson::try_this`] (instruction, control,
//!   steps; [`TryThis::apply_to`]`(&mut Simulation)` performs them) and
//!   [`Lesson::check`]`(&Simulation) -> CheckResult`.
//! - Client code ([`codegen`]): [`codegen::python`]`(&Scenario) -> String` and
//!   [`codegen::java`]`(&Scenario) -> String`; on the command line `kplay export --python|--java
//!   FILE`.
//! - Limits for scenarios from links or files: [`bounds::check`].

pub mod base64url;
pub mod bounds;
pub mod codegen;
pub mod contrasts;
pub mod lessons;
pub mod link;
pub mod patch;
pub mod presets;

pub use lessons::{CheckResult, Lesson, TryThis};
pub use link::{
    decode_link, encode_link, exceeds_share_limit, CompareSides, Decoded, LinkError, SweepSpec,
    UiState,
};
