//! JSON Merge Patch (RFC 7396) and the diff that produces one: how a share link stores only what
//! differs from its preset.
//!
//! Rules (RFC 7396): an object patch is applied key by key; a `null` value removes the key; any
//! other value (arrays included) replaces the target's value whole. [`diff`] yields the smallest
//! such patch for objects (recursing into objects present on both sides) and never emits `null`
//! for a key whose new value is `null` — it cannot, since `null` means removal — so the encoder
//! checks every link by decoding it (see `link.rs`) and falls back to the full scenario.

use serde_json::{Map, Value};

/// The merge patch that turns `base` into `target`, or `None` when they are equal.
pub fn diff(base: &Value, target: &Value) -> Option<Value> {
    if base == target {
        return None;
    }
    match (base, target) {
        (Value::Object(b), Value::Object(t)) => {
            let mut out = Map::new();
            for (k, tv) in t {
                match b.get(k) {
                    Some(bv) => {
                        if let Some(d) = diff(bv, tv) {
                            out.insert(k.clone(), d);
                        }
                    }
                    None => {
                        out.insert(k.clone(), tv.clone());
                    }
                }
            }
            for k in b.keys() {
                if !t.contains_key(k) {
                    out.insert(k.clone(), Value::Null);
                }
            }
            Some(Value::Object(out))
        }
        _ => Some(target.clone()),
    }
}

/// Applies a merge patch to `target` in place (RFC 7396 §2). Recursion depth is bounded by the
/// patch's own nesting, which `serde_json` caps at 128 levels when parsing.
pub fn apply(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, pv) in p {
            if pv.is_null() {
                t.remove(k);
            } else {
                apply(t.entry(k.clone()).or_insert(Value::Null), pv);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_then_apply_restores_the_target() {
        let base = json!({"seed": 1, "cluster": {"brokers": 3, "link": {"latency_ms": 1.0}},
                          "producer": {"config": {"linger.ms": "5", "acks": "1"}}, "actions": [1, 2]});
        let target = json!({"seed": 7, "cluster": {"brokers": 3, "link": {"latency_ms": 2.5}},
                            "producer": {"config": {"linger.ms": "5", "client.id": "x"}}, "actions": [1]});
        let d = diff(&base, &target).unwrap();
        assert_eq!(
            d,
            json!({"seed": 7, "cluster": {"link": {"latency_ms": 2.5}},
                   "producer": {"config": {"acks": null, "client.id": "x"}}, "actions": [1]})
        );
        let mut b = base.clone();
        apply(&mut b, &d);
        assert_eq!(b, target);
        assert_eq!(diff(&target, &target), None);
    }

    #[test]
    fn rfc7396_examples() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        apply(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1]});
        apply(&mut t, &json!({"a": {"b": "c", "d": null}}));
        assert_eq!(t, json!({"a": {"b": "c"}}));
    }
}
