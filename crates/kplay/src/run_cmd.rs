//! `kplay run FILE [--until MS] [--json] [--dump-segments DIR] [--max-events N]`: runs a scenario
//! headless and prints the event log and the final metrics (or one JSON document).

use ksim::{Scenario, Simulation, StopReason};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: kplay run FILE [--until MS] [--json] [--dump-segments DIR] [--max-events N]";

struct Args {
    file: PathBuf,
    until_ms: Option<f64>,
    json: bool,
    dump: Option<PathBuf>,
    max_events: Option<u64>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut file = None;
    let mut until_ms = None;
    let mut json = false;
    let mut dump = None;
    let mut max_events = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--until" => {
                let v = it.next().ok_or("--until needs a value in ms")?;
                let ms: f64 = v
                    .parse()
                    .map_err(|_| format!("--until: not a number: {v}"))?;
                if !ms.is_finite() || ms < 0.0 {
                    return Err(format!("--until: {v} must be >= 0"));
                }
                until_ms = Some(ms);
            }
            "--json" => json = true,
            "--dump-segments" => {
                dump = Some(PathBuf::from(
                    it.next().ok_or("--dump-segments needs a directory")?,
                ))
            }
            "--max-events" => {
                let v = it.next().ok_or("--max-events needs a value")?;
                max_events = Some(
                    v.parse()
                        .map_err(|_| format!("--max-events: not a number: {v}"))?,
                );
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other if other.starts_with('-') => {
                return Err(format!("unknown option {other}\n{USAGE}"))
            }
            other => {
                if file.is_some() {
                    return Err(format!("more than one FILE given\n{USAGE}"));
                }
                file = Some(PathBuf::from(other));
            }
        }
    }
    Ok(Args {
        file: file.ok_or(USAGE)?,
        until_ms,
        json,
        dump,
        max_events,
    })
}

pub fn main(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::from_json(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let max_events = args.max_events.unwrap_or(scenario.limits.max_events);
    let mut sim = match Simulation::new(scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let outcome = match args.until_ms {
        Some(ms) => sim.run_until((ms * 1000.0).round() as u64),
        None => sim.run_until_idle(max_events),
    };
    let metrics = sim.metrics();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.json {
        let view = sim.view();
        // Committed records (below the high watermark) per partition, at most 10,000 each.
        let committed: Vec<serde_json::Value> = view
            .partitions
            .iter()
            .map(|p| {
                let records: Vec<serde_json::Value> = sim
                    .committed_records(&p.topic, p.partition)
                    .into_iter()
                    .take(10_000)
                    .map(|(offset, k, v)| {
                        serde_json::json!({
                            "offset": offset,
                            "key": k.map(|b| String::from_utf8_lossy(&b).into_owned()),
                            "value": v.map(|b| String::from_utf8_lossy(&b).into_owned()),
                        })
                    })
                    .collect();
                serde_json::json!({"topic": p.topic, "partition": p.partition, "records": records})
            })
            .collect();
        let doc = serde_json::json!({
            "committed": committed,
            "scenario": sim.scenario().name,
            "stopped": outcome.stopped,
            "time_us": outcome.time_us,
            "events": sim.events_processed(),
            "log_hash": format!("{:016x}", sim.log_hash()),
            "log": sim.log(),
            "metrics": metrics,
            "delivery_reports": view.delivery_reports,
            "partitions": view.partitions,
            "brokers": view.brokers,
        });
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    } else {
        // Write errors (e.g. a closed pipe under `| head`) end the output quietly.
        let _ = (|| -> std::io::Result<()> {
            for e in sim.log() {
                writeln!(out, "{}", e.describe())?;
            }
            writeln!(
                out,
                "--- stopped: {:?} at {:.3} ms after {} events",
                outcome.stopped,
                outcome.time_us as f64 / 1000.0,
                sim.events_processed()
            )?;
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&metrics).unwrap_or_default()
            )?;
            writeln!(out, "log hash {:016x}", sim.log_hash())
        })();
    }
    let _ = out.flush();
    if let Some(dir) = &args.dump {
        for (topic, partition, bytes) in sim.segments() {
            let d = dir.join(format!("{topic}-{partition}"));
            let r = std::fs::create_dir_all(&d)
                .and_then(|_| std::fs::write(d.join("00000000000000000000.log"), &bytes));
            if let Err(e) = r {
                eprintln!("cannot write {}: {e}", d.display());
                return ExitCode::from(1);
            }
        }
    }
    match outcome.stopped {
        StopReason::MaxEvents | StopReason::MaxTime | StopReason::EventBudget => {
            eprintln!(
                "note: the run was bounded ({:?}); the scenario did not finish",
                outcome.stopped
            );
            ExitCode::from(3)
        }
        StopReason::MemoryBudget => {
            let why = sim
                .log()
                .iter()
                .rev()
                .find_map(|e| match &e.event {
                    ksim::LogEvent::RunLimit { reason } => Some(reason.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            eprintln!("error: the run stopped at the memory budget: {why}");
            ExitCode::from(4)
        }
        _ => ExitCode::SUCCESS,
    }
}
