//! `kplay sweep FILE --set NAME=v1,v2,… [--json]`: runs a scenario once per value of one
//! producer setting (same seed and actions) and prints one row per value. The columns are a
//! stable contract: `value`, `produce_requests`, `records_per_batch` (mean), `wire_bytes`
//! (ProduceRequest bytes sent), `latency_p50_ms`, `latency_p99_ms`, `records_delivered`,
//! `records_per_s`, then `records_lost`, `records_duplicated`, `records_out_of_order`, `stopped`.
//! Exit 0 after the sweep, 2 for bad usage or input (nothing runs). Bounds: `ksim::variant`.

use crate::variant_args::read_scenario;
use ksim::variant::{self, Sweep};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: kplay sweep FILE --set NAME=v1,v2,… [--json]";

struct Args {
    file: PathBuf,
    sweep: Sweep,
    json: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let (mut file, mut sweep, mut json) = (None, None, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--set" => {
                if sweep.is_some() {
                    return Err(format!("a sweep varies one setting: one --set\n{USAGE}"));
                }
                let v = it
                    .next()
                    .ok_or(format!("--set needs NAME=v1,v2,…\n{USAGE}"))?;
                sweep = Some(Sweep::parse(v).map_err(|e| format!("--set {v}: {e}"))?);
            }
            "--json" => json = true,
            "-h" | "--help" => return Err(USAGE.into()),
            o if o.starts_with('-') => return Err(format!("unknown option {o}\n{USAGE}")),
            o if file.is_none() => file = Some(PathBuf::from(o)),
            _ => return Err(format!("more than one FILE given\n{USAGE}")),
        }
    }
    Ok(Args {
        file: file.ok_or(USAGE)?,
        sweep: sweep.ok_or(format!("--set NAME=v1,v2,… is required\n{USAGE}"))?,
        json,
    })
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.3}"))
}

pub fn main(args: &[String]) -> ExitCode {
    let args = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match read_scenario(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rows = match variant::sweep(&scenario, &args.sweep) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = (|| -> std::io::Result<()> {
        if args.json {
            let doc = serde_json::json!({
                "scenario": scenario.name,
                "setting": args.sweep.name,
                "rows": rows,
            });
            return writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            );
        }
        writeln!(
            out,
            "{:<12} {:>16} {:>17} {:>10} {:>14} {:>14} {:>17} {:>13} {:>5} {:>5} {:>5}",
            "value",
            "produce_requests",
            "records_per_batch",
            "wire_bytes",
            "latency_p50_ms",
            "latency_p99_ms",
            "records_delivered",
            "records_per_s",
            "lost",
            "dup",
            "order"
        )?;
        for r in &rows {
            writeln!(
                out,
                "{:<12} {:>16} {:>17.2} {:>10} {:>14} {:>14} {:>17} {:>13.1} {:>5} {:>5} {:>5}",
                format!("{}={}", args.sweep.name, r.value),
                r.produce_requests,
                r.records_per_batch,
                r.wire_bytes,
                opt(r.latency_p50_ms),
                opt(r.latency_p99_ms),
                r.records_delivered,
                r.records_per_s,
                r.records_lost,
                r.records_duplicated,
                r.records_out_of_order
            )?;
        }
        for r in rows.iter().filter(|r| r.stopped != ksim::StopReason::Idle) {
            writeln!(
                out,
                "note: {}={} did not settle ({:?}); its row has the numbers so far",
                args.sweep.name, r.value, r.stopped
            )?;
        }
        Ok(())
    })();
    let _ = out.flush();
    ExitCode::SUCCESS
}
