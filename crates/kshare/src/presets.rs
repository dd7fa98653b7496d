//! Named presets: the scenarios a share link can be a diff against. `default` is the playground's
//! opening scenario; every lesson's scenario is a preset under the lesson's id.
//!
//! Rule: a preset is part of the link format. Changing a preset's file changes its fingerprint
//! ([`Preset::fingerprint`]); links made against the old content then fail with
//! `LinkError::PresetChanged` instead of silently meaning something else. To change a preset
//! without breaking links, bump the link format version and keep the old content for migration.

use crate::lessons;
use ksim::Scenario;
use serde_json::Value;

/// The id of the playground's opening scenario.
pub const DEFAULT_PRESET: &str = "default";

const DEFAULT_JSON: &str = include_str!("../presets/default.json");

/// A named scenario and its source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub id: &'static str,
    /// The scenario as JSON (the file under `presets/` or `lessons/`).
    pub json: &'static str,
}

impl Preset {
    /// The scenario (presets are checked by tests to parse and to build a simulation).
    pub fn scenario(&self) -> Scenario {
        Scenario::from_json(self.json).unwrap_or_default()
    }

    /// The preset's scenario as it serialises now: the base a link's diff is applied to.
    pub fn base_value(&self) -> Value {
        serde_json::to_value(self.scenario()).unwrap_or(Value::Null)
    }

    /// FNV-1a 32 of the preset file's canonical JSON (keys sorted, no whitespace), as 8 hex
    /// digits. Whitespace edits keep it; content edits change it.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::from_str::<Value>(self.json)
            .map(|v| v.to_string())
            .unwrap_or_default();
        let mut h: u32 = 0x811c_9dc5;
        for b in canonical.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        format!("{h:08x}")
    }
}

/// Every preset: `default` first, then the lessons in lecture order.
pub fn all() -> Vec<Preset> {
    let mut v = vec![Preset {
        id: DEFAULT_PRESET,
        json: DEFAULT_JSON,
    }];
    v.extend(lessons::all().iter().map(|l| Preset {
        id: l.id,
        json: l.scenario_json,
    }));
    v
}

/// The preset with this id.
pub fn get(id: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.id == id)
}

/// The playground's opening scenario.
pub fn default_scenario() -> Scenario {
    get(DEFAULT_PRESET)
        .map(|p| p.scenario())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_builds_a_simulation() {
        for p in all() {
            let s = Scenario::from_json(p.json).unwrap_or_else(|e| panic!("preset {}: {e}", p.id));
            ksim::Simulation::new(s).unwrap_or_else(|e| panic!("preset {}: {e}", p.id));
        }
    }

    #[test]
    fn preset_ids_are_unique_and_url_safe() {
        let ids: Vec<&str> = all().iter().map(|p| p.id).collect();
        for (i, id) in ids.iter().enumerate() {
            assert!(!ids[..i].contains(id), "duplicate preset {id}");
            assert!(
                !id.is_empty()
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id} is not url-safe"
            );
        }
    }
}
