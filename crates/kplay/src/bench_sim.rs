//! `kplay bench sim [--records N]`: simulation throughput. 1,000,000 records of 100 bytes,
//! 3 brokers, RF 3, acks=all, lz4, linger 5 ms → records simulated per second of real time.

use ksim::bench::bench_scenario;
use ksim::Simulation;
use std::process::ExitCode;
use std::time::Instant;

pub fn main(args: &[String]) -> ExitCode {
    let mut records = 1_000_000u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match (a.as_str(), it.next()) {
            ("--records", Some(v)) => match v.parse() {
                Ok(n) => records = n,
                Err(_) => {
                    eprintln!("--records: not a number: {v}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("usage: kplay bench sim [--records N]");
                return ExitCode::from(2);
            }
        }
    }
    let mut sim = match Simulation::new(bench_scenario(records)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let start = Instant::now();
    let out = sim.run_until_idle(u64::MAX);
    let secs = start.elapsed().as_secs_f64();
    let m = sim.metrics();
    println!(
        "simulated {} records ({} delivered, {} requests, {} batches, lz4 ratio {:.2}) in {:.3} s real = {:.0} records/s; {} events, virtual {:.1} ms, stopped {:?}",
        m.records_produced,
        m.records_delivered,
        m.produce_requests,
        m.batches,
        m.compression_ratio,
        secs,
        m.records_delivered as f64 / secs,
        sim.events_processed(),
        out.time_us as f64 / 1000.0,
        out.stopped
    );
    ExitCode::SUCCESS
}
