//! Bad input never panics: every number and string in every example scenario is replaced, one at
//! a time, by extreme or odd values; the result must be a typed error or a bounded run.

use ksim::*;
use serde_json::Value;

fn number_paths(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Number(_) | Value::String(_) => out.push(path.clone()),
        Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                number_paths(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                number_paths(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn set(v: &mut Value, path: &[String], new: Value) {
    let mut cur = v;
    for p in path {
        cur = match cur {
            Value::Object(m) => m.get_mut(p).unwrap(),
            Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
            _ => return,
        };
    }
    *cur = new;
}

#[test]
fn extreme_numbers_give_errors_or_bounded_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let extremes: Vec<Value> =
        serde_json::from_str("[0, -1, 1e18, 18446744073709551615, -9223372036854775808]").unwrap();
    let mut runs = 0;
    for path in names {
        let base: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut paths = Vec::new();
        number_paths(&base, &mut Vec::new(), &mut paths);
        for p in &paths {
            let is_string = {
                let mut cur = &base;
                for k in p {
                    cur = match cur {
                        Value::Object(m) => &m[k],
                        Value::Array(a) => &a[k.parse::<usize>().unwrap()],
                        _ => cur,
                    };
                }
                cur.is_string()
            };
            let odd_strings: Vec<Value> = vec![
                Value::String(String::new()),
                Value::String("ключ-{i}-鍵".into()),
                Value::String("{i}".repeat(300)),
            ];
            let values = if is_string { &odd_strings } else { &extremes };
            for x in values {
                let mut v = base.clone();
                set(&mut v, p, x.clone());
                let text = v.to_string();
                if let Ok(mut sim) = Simulation::from_json(&text) {
                    sim.run_until_idle(1500);
                    let _ = sim.view();
                    runs += 1;
                }
            }
        }
    }
    assert!(runs > 100);
}
