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
    // One warm-up run, then three timed runs (best and median reported).
    let run = |n: u64| -> Result<(f64, Simulation), String> {
        let mut sim = Simulation::new(bench_scenario(n)).map_err(|e| e.to_string())?;
        let start = Instant::now();
        sim.run_until_idle(u64::MAX);
        Ok((start.elapsed().as_secs_f64(), sim))
    };
    if let Err(e) = run(100_000) {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        match run(records) {
            Ok((t, sim)) => {
                times.push(t);
                last = Some(sim);
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let Some(sim) = last else {
        return ExitCode::from(1);
    };
    let m = sim.metrics();
    let rate = |s: f64| m.records_delivered as f64 / s;
    println!(
        "simulated {} records ({} delivered, {} requests, {} batches, lz4 ratio {:.2}; {} events, virtual {:.1} ms): best {:.3} s = {:.0} records/s, median {:.3} s = {:.0} records/s",
        m.records_produced,
        m.records_delivered,
        m.produce_requests,
        m.batches,
        m.compression_ratio,
        sim.events_processed(),
        sim.now_us() as f64 / 1000.0,
        times[0],
        rate(times[0]),
        times[1],
        rate(times[1]),
    );
    ExitCode::SUCCESS
}
