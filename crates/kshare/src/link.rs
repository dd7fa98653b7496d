//! Share links: a scenario and the UI position in a URL fragment.
//!
//! # Format (version 1)
//! The fragment is `#s=<version>.<payload>`:
//! - `<version>`: the link format version in decimal ([`LINK_VERSION`] = 1).
//! - `<payload>`: base64url without padding (RFC 4648 §5) of a zlib stream (RFC 1950: DEFLATE
//!   plus an Adler-32 checksum, so tampering is detected) of UTF-8 JSON, the *envelope*:
//!
//! ```json
//! {"base": "default", "base_fnv32": "1c9e2a55",
//!  "diff": {"seed": 7, "producer": {"config": {"acks": "1"}}},
//!  "ui": {"time_ms": 12.5, "panel": "log", "lesson": null}}
//! ```
//! - `base`: a preset id (`default` or a lesson id, see [`crate::presets`]) or `null` (the diff is
//!   then the whole scenario); `base_fnv32`: the preset's fingerprint when the link was made.
//! - `diff`: a JSON Merge Patch (RFC 7396) from the preset's scenario to the shared scenario;
//!   absent when they are equal. The encoder uses the selected lesson's preset as base (else
//!   `default`), and checks that the link decodes to the same scenario, else it stores the whole
//!   scenario (`base: null`).
//! - `ui`: [`UiState`]. Unknown fields anywhere are errors.
//!
//! # Version 2
//! Version 1 plus two optional fields of `ui`: `compare` (the two sides of "Run both ways",
//! `{"a": ["acks=1"], "b": ["acks=all"]}`) and `sweep` (one setting and its values,
//! `{"name": "linger.ms", "values": ["0", "5", "20"]}`). They are checked as `ksim::variant`
//! checks them (at most 8 settings per side, 12 values, each text at most
//! [`MAX_VARIANT_TEXT_CHARS`] characters, known settings with valid values for the link's
//! scenario). The encoder writes version 1 when neither is present, so those links still open in
//! a playground that reads only version 1; version 1 migrates to 2 unchanged.
//!
//! # Version 0 (pre-release, kept so the migration path is exercised)
//! `#s=0.<base64url(JSON)>` with no compression and the JSON
//! `{"scenario": {…full scenario…}, "t_us": <virtual time in µs>, "panel": <string or null>}`.
//! It is migrated to a version-1 envelope with `base: null`.
//!
//! # Rules on load
//! Older versions are migrated step by step ([`migrate`]); a newer version than the app fails
//! with [`LinkError::NewerVersion`]. Input is capped ([`MAX_LINK_INPUT_CHARS`], inflated JSON at
//! [`MAX_INFLATED_BYTES`]), the scenario must fit [`crate::bounds`] and build a
//! `ksim::Simulation`. Every failure is a [`LinkError`] with a message for the banner; decoding
//! never panics and nothing in a link is ever executed or rendered as HTML.

use crate::base64url::{self, Base64Error};
use crate::bounds::{self, BoundsError};
use crate::lessons;
use crate::patch;
use crate::presets::{self, DEFAULT_PRESET};
use ksim::{Scenario, SimError, Simulation};
use miniz_oxide::inflate::TINFLStatus;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The newest link format version this build reads and writes (it writes 1 when the link holds
/// no comparison or sweep; see the module docs).
pub const LINK_VERSION: u32 = 2;
/// Longest setting text (`NAME=VALUE`), sweep name or value a link may hold.
pub const MAX_VARIANT_TEXT_CHARS: usize = 120;
/// The fragment key holding the payload.
pub const FRAGMENT_KEY: &str = "s";
/// Chat tools cut URLs near this length; the UI warns above it and offers a file download.
pub const SHARE_WARN_CHARS: usize = 2000;
/// Longest input accepted by [`decode_link`], in characters (far above any real link).
pub const MAX_LINK_INPUT_CHARS: usize = 512 * 1024;
/// Largest decompressed envelope accepted (a decompression bomb stops here).
pub const MAX_INFLATED_BYTES: usize = 1024 * 1024;
/// Longest accepted panel name.
pub const MAX_PANEL_CHARS: usize = 32;

/// Where the learner was: restored with the scenario.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiState {
    /// Virtual time the playground was showing, in milliseconds (0..=1e12).
    pub time_ms: f64,
    /// Selected panel (1–32 characters of `a-z 0-9 - _`); the UI decides what names mean.
    pub panel: Option<String>,
    /// Selected lesson id (must be a known lesson).
    pub lesson: Option<String>,
    /// A comparison ("Run both ways") to open: format version 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<CompareSides>,
    /// A sweep ("Sweep a setting") to open: format version 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepSpec>,
}

/// The two sides of a comparison, each a list of `NAME=VALUE` settings (empty: the scenario as
/// it is).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompareSides {
    pub a: Vec<String>,
    pub b: Vec<String>,
}

/// One setting over a list of values.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    pub name: String,
    pub values: Vec<String>,
}

impl UiState {
    /// The virtual time in microseconds, rounded (`time_ms * 1000` can land a hair below a whole
    /// microsecond, and truncating it would stop a replay one microsecond early).
    pub fn time_us(&self) -> u64 {
        if self.time_ms.is_finite() && self.time_ms > 0.0 {
            (self.time_ms * 1000.0).round() as u64
        } else {
            0
        }
    }
}

/// A decoded link.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub scenario: Scenario,
    pub ui_state: UiState,
    /// The link's format version when it was migrated from an older shape (version 0; version 1
    /// reads unchanged, it only lacks version 2's optional fields).
    pub migrated_from: Option<u32>,
}

/// Why a link could not be opened. `Display` is the banner text.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LinkError {
    /// No `s=` part in the fragment.
    MissingPayload,
    /// The input is longer than [`MAX_LINK_INPUT_CHARS`].
    TooLong { chars: usize },
    /// The part before the first `.` is not a version number.
    BadVersion(String),
    /// Made by a newer playground than this one.
    NewerVersion { found: u32, supported: u32 },
    /// The payload is not base64url.
    BadBase64(Base64Error),
    /// The payload is not a valid zlib/deflate stream (cut, tampered or not compressed).
    BadCompression(String),
    /// The payload inflates to more than [`MAX_INFLATED_BYTES`].
    TooLarge { limit_bytes: usize },
    /// The envelope or scenario JSON is malformed, has wrong types or unknown fields.
    BadJson(String),
    /// The link names a preset this playground does not have.
    UnknownPreset(String),
    /// The preset the link was made against has changed since; its meaning cannot be restored.
    PresetChanged(String),
    /// The UI part is invalid (time, panel or lesson).
    BadUiState(String),
    /// The scenario is larger than the playground accepts from a link.
    OutOfBounds(BoundsError),
    /// The scenario is impossible (the simulator's own error).
    Rejected(SimError),
    /// The comparison or sweep the link holds cannot run on its scenario (`ksim::variant`'s
    /// message, naming the side or the sweep).
    BadVariant(String),
}

/// Caps a message taken from input (serde errors can quote it) at a banner-friendly length.
fn clip(s: String) -> String {
    const MAX: usize = 200;
    if s.chars().count() <= MAX {
        return s;
    }
    let mut t: String = s.chars().take(MAX).collect();
    t.push('…');
    t
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::MissingPayload => write!(f, "This link holds no scenario (no \"#s=\" part)."),
            LinkError::TooLong { chars } => write!(
                f,
                "This link is {chars} characters long; links above {MAX_LINK_INPUT_CHARS} are refused."
            ),
            LinkError::BadVersion(v) => write!(
                f,
                "This link is damaged: \"{}\" is not a format version.",
                clip(v.clone())
            ),
            LinkError::NewerVersion { found, supported } => write!(
                f,
                "This link was made by a newer version of the playground (link format {found}; this one reads up to {supported}). Reload the page to get the latest version."
            ),
            LinkError::BadBase64(e) => match e {
                Base64Error::InvalidChar { position_bytes } => write!(
                    f,
                    "This link is damaged: character {} of the scenario data is not allowed (was the link cut or changed?).",
                    position_bytes + 1
                ),
                Base64Error::BadLength | Base64Error::TrailingBits => write!(
                    f,
                    "This link is damaged: the scenario data has a wrong length (was the link cut?)."
                ),
            },
            LinkError::BadCompression(m) => write!(
                f,
                "This link is damaged: the scenario data cannot be decompressed ({m})."
            ),
            LinkError::TooLarge { limit_bytes } => write!(
                f,
                "This link's scenario unpacks to more than {} KiB and was refused.",
                limit_bytes / 1024
            ),
            LinkError::BadJson(m) => write!(f, "This link's scenario is invalid: {}", clip(m.clone())),
            LinkError::UnknownPreset(p) => write!(
                f,
                "This link is based on a preset this playground does not know: \"{}\".",
                clip(p.clone())
            ),
            LinkError::PresetChanged(p) => write!(
                f,
                "This link is based on an older version of the preset \"{p}\", which has changed since; it cannot be opened faithfully."
            ),
            LinkError::BadUiState(m) => write!(f, "This link's view settings are invalid: {}", clip(m.clone())),
            LinkError::OutOfBounds(e) => write!(f, "This link's scenario is too big: {e}"),
            LinkError::Rejected(e) => write!(
                f,
                "This link's scenario cannot run: {}",
                clip(e.to_string())
            ),
            LinkError::BadVariant(m) => write!(
                f,
                "This link's comparison or sweep cannot run: {}",
                clip(m.clone())
            ),
        }
    }
}

impl std::error::Error for LinkError {}

/// The envelope of format version 1 (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvelopeV1 {
    base: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_fnv32: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    diff: Option<Value>,
    #[serde(default)]
    ui: UiState,
}

/// Encodes a scenario and the UI position as the fragment payload `s=1.<base64url(zlib(json))>`
/// (without the leading `#`). The base is the selected lesson's preset, else `default`. UI
/// values that [`decode_link`] would refuse are not written: a time outside 0..=1e12 ms (or not
/// finite) becomes 0, an invalid panel name or unknown lesson id is left out.
pub fn encode_link(scenario: &Scenario, ui: &UiState) -> String {
    let ui = &sanitized(ui);
    let base_id = ui
        .lesson
        .as_deref()
        .filter(|id| presets::get(id).is_some())
        .unwrap_or(DEFAULT_PRESET);
    let target = serde_json::to_value(scenario).unwrap_or(Value::Null);
    let env = match presets::get(base_id) {
        Some(p) => EnvelopeV1 {
            base: Some(p.id.to_string()),
            base_fnv32: Some(p.fingerprint()),
            diff: patch::diff(&p.base_value(), &target),
            ui: ui.clone(),
        },
        None => full_envelope(&target, ui),
    };
    // Self-check: a diff cannot express every change (RFC 7396 `null` means "remove").
    let env = if scenario_of(&env).as_ref() == Ok(scenario) {
        env
    } else {
        full_envelope(&target, ui)
    };
    let mut env = env;
    if check_variants(&env.ui, scenario).is_err() {
        env.ui.compare = None;
        env.ui.sweep = None;
    }
    // Version 1 unless the link needs version 2's fields (older playgrounds open it then).
    let version = if env.ui.compare.is_some() || env.ui.sweep.is_some() {
        LINK_VERSION
    } else {
        1
    };
    let json = serde_json::to_vec(&env).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 9);
    format!("{FRAGMENT_KEY}={version}.{}", base64url::encode(&packed))
}

/// Checks a link's comparison and sweep as `ksim::variant` would before running them.
fn check_variants(ui: &UiState, scenario: &Scenario) -> Result<(), LinkError> {
    use ksim::variant::{self, Sweep, Variant, MAX_SETTINGS_PER_VARIANT};
    let long = |t: &String| t.chars().count() > MAX_VARIANT_TEXT_CHARS;
    if let Some(c) = &ui.compare {
        for (name, side) in [("side A", &c.a), ("side B", &c.b)] {
            if side.len() > MAX_SETTINGS_PER_VARIANT {
                return Err(LinkError::BadVariant(format!(
                    "{name}: {} settings, at most {MAX_SETTINGS_PER_VARIANT} per side",
                    side.len()
                )));
            }
            if side.iter().any(long) {
                return Err(LinkError::BadVariant(format!(
                    "{name}: a setting is longer than {MAX_VARIANT_TEXT_CHARS} characters"
                )));
            }
            Variant::parse(side.iter().map(String::as_str))
                .and_then(|v| variant::prepare(scenario, &v))
                .map_err(|e| LinkError::BadVariant(format!("{name}: {e}")))?;
        }
    }
    if let Some(sw) = &ui.sweep {
        if long(&sw.name)
            || sw.values.len() > variant::MAX_SWEEP_VALUES
            || sw.values.iter().any(long)
        {
            return Err(LinkError::BadVariant(format!(
                "sweep: at most {} values of at most {MAX_VARIANT_TEXT_CHARS} characters",
                variant::MAX_SWEEP_VALUES
            )));
        }
        Sweep::new(&sw.name, sw.values.iter().map(String::as_str))
            .and_then(|s| variant::prepare_sweep(scenario, &s))
            .map_err(|e| LinkError::BadVariant(format!("sweep: {e}")))?;
    }
    Ok(())
}

fn sanitized(ui: &UiState) -> UiState {
    let mut u = ui.clone();
    if !u.time_ms.is_finite() || !(0.0..=1.0e12).contains(&u.time_ms) {
        u.time_ms = 0.0;
    }
    if u.panel.as_deref().is_some_and(|p| !panel_ok(p)) {
        u.panel = None;
    }
    if u.lesson
        .as_deref()
        .is_some_and(|l| lessons::get(l).is_none())
    {
        u.lesson = None;
    }
    u
}

fn panel_ok(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= MAX_PANEL_CHARS
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn full_envelope(target: &Value, ui: &UiState) -> EnvelopeV1 {
    EnvelopeV1 {
        base: None,
        base_fnv32: None,
        diff: Some(target.clone()),
        ui: ui.clone(),
    }
}

/// True when a URL is longer than [`SHARE_WARN_CHARS`] characters (the UI then warns and offers
/// the scenario as a file).
pub fn exceeds_share_limit(url: &str) -> bool {
    url.chars().count() > SHARE_WARN_CHARS
}

/// Finds the `s=` payload in a fragment (`#s=…`, `s=…`, a whole URL, or `&`-separated parts).
fn payload_of(input: &str) -> Option<&str> {
    let frag = input.rsplit_once('#').map_or(input, |(_, f)| f).trim();
    frag.split('&').find_map(|part| part.strip_prefix("s="))
}

/// Decodes a share link (or its fragment) into a scenario that builds a simulation.
pub fn decode_link(input: &str) -> Result<Decoded, LinkError> {
    if input.len() > MAX_LINK_INPUT_CHARS {
        return Err(LinkError::TooLong {
            chars: input.chars().count(),
        });
    }
    let payload = payload_of(input).ok_or(LinkError::MissingPayload)?;
    let (version_text, body) = payload
        .split_once('.')
        .ok_or_else(|| LinkError::BadVersion(payload.chars().take(12).collect()))?;
    let version = parse_version(version_text)?;
    if version > LINK_VERSION {
        return Err(LinkError::NewerVersion {
            found: version,
            supported: LINK_VERSION,
        });
    }
    let bytes = base64url::decode(body).map_err(LinkError::BadBase64)?;
    let json = match version {
        0 => {
            if bytes.len() > MAX_INFLATED_BYTES {
                return Err(LinkError::TooLarge {
                    limit_bytes: MAX_INFLATED_BYTES,
                });
            }
            bytes
        }
        _ => inflate(&bytes)?,
    };
    let value: Value =
        serde_json::from_slice(&json).map_err(|e| LinkError::BadJson(e.to_string()))?;
    let value = migrate(version, value)?;
    let env: EnvelopeV1 =
        serde_json::from_value(value).map_err(|e| LinkError::BadJson(e.to_string()))?;
    check_ui(&env.ui)?;
    let scenario = scenario_of(&env)?;
    bounds::check(&scenario).map_err(LinkError::OutOfBounds)?;
    Simulation::new(scenario.clone()).map_err(LinkError::Rejected)?;
    check_variants(&env.ui, &scenario)?;
    Ok(Decoded {
        scenario,
        ui_state: env.ui,
        // Version 1 reads unchanged as version 2 (it only lacks optional fields).
        migrated_from: (version < 1).then_some(version),
    })
}

fn parse_version(text: &str) -> Result<u32, LinkError> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LinkError::BadVersion(text.chars().take(12).collect()));
    }
    text.parse()
        .map_err(|_| LinkError::BadVersion(text.to_string()))
}

fn inflate(bytes: &[u8]) -> Result<Vec<u8>, LinkError> {
    miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(bytes, MAX_INFLATED_BYTES).map_err(
        |e| match e.status {
            TINFLStatus::HasMoreOutput => LinkError::TooLarge {
                limit_bytes: MAX_INFLATED_BYTES,
            },
            TINFLStatus::Adler32Mismatch => {
                LinkError::BadCompression("checksum mismatch: the data was changed".into())
            }
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                LinkError::BadCompression("the data ends too early: was the link cut?".into())
            }
            _ => LinkError::BadCompression("not a valid compressed stream".into()),
        },
    )
}

/// Brings an envelope of an older format `version` to the current one, one step at a time.
/// Each step is a pure JSON rewrite; add one per released version.
pub fn migrate(version: u32, value: Value) -> Result<Value, LinkError> {
    let mut v = value;
    let mut at = version;
    while at < LINK_VERSION {
        v = match at {
            0 => v0_to_v1(v)?,
            // Version 2 only adds optional fields.
            1 => v,
            _ => return Err(LinkError::BadVersion(at.to_string())),
        };
        at += 1;
    }
    Ok(v)
}

/// v0 `{scenario, t_us, panel}` → v1 envelope with the whole scenario as diff.
fn v0_to_v1(v: Value) -> Result<Value, LinkError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct V0 {
        scenario: Value,
        #[serde(default)]
        t_us: u64,
        #[serde(default)]
        panel: Option<String>,
    }
    let mut old: V0 = serde_json::from_value(v).map_err(|e| LinkError::BadJson(e.to_string()))?;
    // v0 links ran under the limits of their day (20 M events, 1 hour): keep them.
    if let Some(obj) = old.scenario.as_object_mut() {
        obj.entry("limits").or_insert_with(
            || serde_json::json!({"max_events": 20_000_000u64, "max_time_ms": 3_600_000.0}),
        );
    }
    Ok(serde_json::json!({
        "base": null,
        "diff": old.scenario,
        "ui": {"time_ms": old.t_us as f64 / 1000.0, "panel": old.panel, "lesson": null},
    }))
}

/// Rebuilds the scenario from an envelope: the base preset's scenario with the diff applied.
fn scenario_of(env: &EnvelopeV1) -> Result<Scenario, LinkError> {
    let mut value = match &env.base {
        None => Value::Object(Default::default()),
        Some(id) => {
            let p = presets::get(id).ok_or_else(|| LinkError::UnknownPreset(id.clone()))?;
            if env.base_fnv32.as_deref() != Some(p.fingerprint().as_str()) {
                return Err(LinkError::PresetChanged(id.clone()));
            }
            p.base_value()
        }
    };
    if let Some(d) = &env.diff {
        patch::apply(&mut value, d);
    }
    serde_json::from_value(value).map_err(|e| LinkError::BadJson(e.to_string()))
}

fn check_ui(ui: &UiState) -> Result<(), LinkError> {
    if !ui.time_ms.is_finite() || !(0.0..=1.0e12).contains(&ui.time_ms) {
        return Err(LinkError::BadUiState(format!(
            "time {} ms must be between 0 and 1e12",
            ui.time_ms
        )));
    }
    if let Some(p) = &ui.panel {
        let ok = panel_ok(p);
        if !ok {
            return Err(LinkError::BadUiState(format!(
                "panel name {:?} is not 1–{MAX_PANEL_CHARS} characters of a-z 0-9 - _",
                p.chars().take(40).collect::<String>()
            )));
        }
    }
    if let Some(l) = &ui.lesson {
        if lessons::get(l).is_none() {
            return Err(LinkError::BadUiState(format!(
                "unknown lesson {:?}",
                l.chars().take(40).collect::<String>()
            )));
        }
    }
    Ok(())
}
