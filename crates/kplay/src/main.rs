//! `kplay`: the playground's core, headless. Subcommands live in their own modules.

mod batch_cmd;
mod bench_codecs;
mod bench_sim;
mod export_cmd;
mod run_cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") | Some("-V") => {
            println!("kplay {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("batch") => batch_cmd::main(&args[1..]),
        Some("run") => run_cmd::main(&args[1..]),
        Some("export") => export_cmd::main(&args[1..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("sim") => {
            bench_sim::main(&args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("codecs") => {
            bench_codecs::main(&args[2..])
        }
        _ => {
            eprintln!("usage: kplay --version");
            ExitCode::from(2)
        }
    }
}
