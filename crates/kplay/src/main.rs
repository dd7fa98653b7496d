//! `kplay`: the playground's core, headless. Subcommands live in their own modules.
/// See Cargo.toml: long runs stay linear in time with mimalloc, not with glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod avro_cmd;
mod batch_cmd;
mod bench_avro;
mod bench_codecs;
mod bench_sim;
mod compare_cmd;
mod export_cmd;
mod produce_cmd;
mod run_cmd;
mod sweep_cmd;
mod variant_args;

use std::process::ExitCode;

const HELP: &str = "kplay: the Kafka producer playground's simulation, headless

  kplay --version
  kplay produce --topic NAME [--partitions N] [--replication-factor N] [--key K] --value V [--json]
        create a topic on a simulated 3-broker cluster, produce one event, print its offset
  kplay run FILE [--until MS] [--json] [--dump-segments DIR]
        run a scenario (examples/*.json, or a file downloaded from the playground)
  kplay sweep FILE --set NAME=v1,v2,… [--json]
        run it once per value of one producer setting (≤ 12 values); one row per value
  kplay compare FILE --set NAME=V [--set …] --vs NAME=V [--vs …] [--json]
        run it both ways; both outcomes and the difference in words
  kplay batch encode --codec none|gzip|snappy|lz4|zstd IN.json OUT.bin
  kplay batch decode IN.bin|- [--json]
        build or inspect Kafka record batch v2 bytes
  kplay avro encode --schema S.avsc --schema-id N IN.json OUT.bin
  kplay avro decode --schema S.avsc IN.bin [--layout]
  kplay avro compat --level BACKWARD|FORWARD|FULL|NONE|…_TRANSITIVE OLD.avsc… NEW.avsc
        Avro in Confluent's wire format; Schema Registry compatibility (exit 1: incompatible)
  kplay export --python|--java FILE
        the confluent-kafka Python or Java 3.6 program for a scenario
  kplay bench sim | kplay bench codecs | kplay bench avro
        benchmarks (see BENCHMARKS.md)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") | Some("-V") => {
            println!("kplay {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("avro") => avro_cmd::main(&args[1..]),
        Some("batch") => batch_cmd::main(&args[1..]),
        Some("run") => run_cmd::main(&args[1..]),
        Some("sweep") => sweep_cmd::main(&args[1..]),
        Some("compare") => compare_cmd::main(&args[1..]),
        Some("export") => export_cmd::main(&args[1..]),
        Some("produce") => produce_cmd::main(&args[1..]),
        Some("help") | Some("--help") | Some("-h") => {
            println!("{HELP}");
            ExitCode::SUCCESS
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("sim") => {
            bench_sim::main(&args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("codecs") => {
            bench_codecs::main(&args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("avro") => {
            bench_avro::main(&args[2..])
        }
        _ => {
            eprintln!("{HELP}");
            ExitCode::from(2)
        }
    }
}
