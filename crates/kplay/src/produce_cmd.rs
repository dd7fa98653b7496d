//! `kplay produce`: the playground's first slice, headless. Creates a topic on a simulated
//! 3-broker cluster, produces one event with the librdkafka profile (confluent-kafka's
//! defaults), runs until the delivery report arrives, and prints where the event landed.
//!
//!     kplay produce --topic payments --partitions 3 --key Alice --value 'Made a payment of $200 to Bob'

use ksim::{Action, Scenario, Simulation, TopicSpec};
use std::process::ExitCode;

const USAGE: &str = "usage: kplay produce --topic NAME [--partitions N] [--replication-factor N] [--key K] --value V [--json]";

struct Args {
    topic: String,
    partitions: u32,
    replication_factor: u32,
    key: Option<String>,
    value: Option<String>,
    json: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        topic: String::new(),
        partitions: 1,
        replication_factor: 3,
        key: None,
        value: None,
        json: false,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--topic" => a.topic = value("--topic")?,
            "--partitions" => {
                a.partitions = value("--partitions")?
                    .parse()
                    .map_err(|_| "--partitions takes a whole number".to_string())?
            }
            "--replication-factor" => {
                a.replication_factor = value("--replication-factor")?
                    .parse()
                    .map_err(|_| "--replication-factor takes a whole number".to_string())?
            }
            "--key" => a.key = Some(value("--key")?),
            "--value" => a.value = Some(value("--value")?),
            "--json" => a.json = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.topic.is_empty() {
        return Err("--topic is required".into());
    }
    Ok(a)
}

pub fn main(args: &[String]) -> ExitCode {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kplay produce: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let run = || -> Result<(Simulation, ksim::DeliveryReport), ksim::SimError> {
        let mut sim = Simulation::new(Scenario::default())?;
        sim.apply(Action::CreateTopic(TopicSpec {
            name: a.topic.clone(),
            partitions: a.partitions,
            replication_factor: a.replication_factor,
            ..TopicSpec::default()
        }))?;
        sim.apply(Action::Produce {
            topic: a.topic.clone(),
            key: a.key.clone(),
            value: a.value.clone(),
            headers: vec![],
            partition: None,
            timestamp_ms: None,
        })?;
        sim.run_until_idle(1_000_000);
        sim.apply(Action::Poll)?;
        let report = sim
            .view()
            .delivery_reports
            .into_iter()
            .next()
            .ok_or_else(|| {
                ksim::SimError::InvalidScenario("the event got no delivery report".into())
            })?;
        Ok((sim, report))
    };
    match run() {
        Ok((sim, r)) => {
            let offset = r.offset.map_or("None".to_string(), |o| o.to_string());
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({
                        "topic": r.topic, "partition": r.partition, "offset": r.offset,
                        "error": r.error_name, "latency_ms": r.latency_us as f64 / 1000.0,
                        "time_ms": sim.now_us() as f64 / 1000.0,
                    })
                );
            } else {
                match &r.error_name {
                    None => println!(
                        "delivered to {}-{} at offset {offset} (latency {:.3} ms, virtual time {:.3} ms)",
                        r.topic,
                        r.partition,
                        r.latency_us as f64 / 1000.0,
                        sim.now_us() as f64 / 1000.0
                    ),
                    Some(e) => println!("failed: {e} ({}-{})", r.topic, r.partition),
                }
            }
            if r.error_name.is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("kplay produce: {e}");
            ExitCode::from(1)
        }
    }
}
