//! `kplay export --python|--java|--records|--records-hex FILE`: prints the client program for a
//! scenario file (`kshare::codegen`), or, with `--records`, runs the scenario until idle and
//! prints what the simulated cluster committed, as JSON `{topic: [[[key, value], …] per
//! partition]}` (the oracle test compares it with what the generated program delivers to
//! librdkafka's mock cluster). `--records` gives keys and values as UTF-8 text (invalid bytes
//! replaced); `--records-hex` as lower-case hex, for binary values such as Avro's.

use ksim::{Scenario, Simulation};
use std::collections::BTreeMap;
use std::process::ExitCode;

const USAGE: &str = "usage: kplay export --python|--java|--records|--records-hex FILE";
/// Event budget for `--records` (the scenario's own limits also apply).
const RECORDS_MAX_EVENTS: u64 = 20_000_000;

pub fn main(args: &[String]) -> ExitCode {
    let (Some(mode), Some(file), None) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let scenario = match std::fs::read_to_string(file)
        .map_err(|e| format!("{file}: {e}"))
        .and_then(|t| Scenario::from_json(&t).map_err(|e| format!("{file}: {e}")))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match mode.as_str() {
        "--python" => print!("{}", kshare::codegen::python(&scenario)),
        "--java" => print!("{}", kshare::codegen::java(&scenario)),
        "--records" | "--records-hex" => match records(scenario, mode == "--records-hex") {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("{file}: {e}");
                return ExitCode::FAILURE;
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

type Partitions = Vec<Vec<(Option<String>, Option<String>)>>;

fn records(scenario: Scenario, hex: bool) -> Result<String, ksim::SimError> {
    let mut sim = Simulation::new(scenario)?;
    sim.run_until_idle(RECORDS_MAX_EVENTS);
    let text = |b: Option<Vec<u8>>| {
        b.map(|v| {
            if hex {
                v.iter().map(|x| format!("{x:02x}")).collect()
            } else {
                String::from_utf8_lossy(&v).into_owned()
            }
        })
    };
    let mut out: BTreeMap<String, Partitions> = BTreeMap::new();
    for p in sim.view().partitions {
        let recs = sim
            .committed_records(&p.topic, p.partition)
            .into_iter()
            .map(|(_, k, v)| (text(k), text(v)))
            .collect();
        let parts = out.entry(p.topic.clone()).or_default();
        let idx = p.partition as usize;
        if parts.len() <= idx {
            parts.resize_with(idx + 1, Vec::new);
        }
        parts[idx] = recs;
    }
    Ok(serde_json::to_string(&out).unwrap_or_default())
}
