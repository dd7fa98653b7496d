//! What `kplay sweep` and `kplay compare` share: reading the scenario file, and printing an
//! outcome.

use ksim::variant::{bytes_text, rate_text};
use ksim::{Outcome, Scenario};
use std::path::Path;

/// Reads and parses a scenario file (its error names the file).
pub fn read_scenario(file: &Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    Scenario::from_json(&text).map_err(|e| format!("{}: {e}", file.display()))
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |x| format!("{x:.2} ms"))
}

fn wire(n: u64) -> String {
    if n >= 1000 {
        format!("{} ({n} B)", bytes_text(n))
    } else {
        bytes_text(n)
    }
}

/// The outcome as `name: value` lines, indented.
pub fn outcome_lines(o: &Outcome) -> Vec<String> {
    vec![
        format!("records produced      {}", o.records_produced),
        format!("records acknowledged  {}", o.records_acknowledged),
        format!("records failed        {}", o.records_failed),
        format!("lost (acked, not in the log)  {}", o.records_lost),
        format!("duplicated            {}", o.records_duplicated),
        format!("out of order per key  {}", o.records_out_of_order),
        format!("unverifiable          {}", o.unverifiable_records),
        format!("ProduceRequests       {}", o.produce_requests),
        format!("bytes on the wire     {}", wire(o.wire_bytes)),
        format!("records per batch     {:.2}", o.records_per_batch),
        format!(
            "latency p50 / p99     {} / {}",
            ms(o.latency_p50_ms),
            ms(o.latency_p99_ms)
        ),
        format!("throughput            {}", rate_text(o.records_per_s)),
    ]
}
