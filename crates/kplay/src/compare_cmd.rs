//! `kplay compare FILE --set NAME=V [--set …] --vs NAME=V [--vs …] [--json]`: runs a scenario
//! two ways (same seed and actions; the `--set` settings on one side, the `--vs` settings on
//! the other), prints both outcomes and their differences in words. Exit 0 after the
//! comparison, 2 for bad usage or input (nothing runs). Bounds: `ksim::variant`.

use crate::variant_args::{outcome_lines, read_scenario};
use ksim::variant::{self, Variant, VariantRun};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: kplay compare FILE --set NAME=V [--set …] --vs NAME=V [--vs …] [--json]";

struct Args {
    file: PathBuf,
    a: Variant,
    b: Variant,
    json: bool,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let (mut file, mut json) = (None, false);
    let (mut a, mut b): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(x) = it.next() {
        match x.as_str() {
            "--set" => a.push(it.next().ok_or(format!("--set needs NAME=V\n{USAGE}"))?),
            "--vs" => b.push(it.next().ok_or(format!("--vs needs NAME=V\n{USAGE}"))?),
            "--json" => json = true,
            "-h" | "--help" => return Err(USAGE.into()),
            o if o.starts_with('-') => return Err(format!("unknown option {o}\n{USAGE}")),
            o if file.is_none() => file = Some(PathBuf::from(o)),
            _ => return Err(format!("more than one FILE given\n{USAGE}")),
        }
    }
    if a.is_empty() || b.is_empty() {
        return Err(format!(
            "both sides need a setting: --set NAME=V and --vs NAME=V\n{USAGE}"
        ));
    }
    Ok(Args {
        file: file.ok_or(USAGE)?,
        a: Variant::parse(a).map_err(|e| format!("--set: {e}"))?,
        b: Variant::parse(b).map_err(|e| format!("--vs: {e}"))?,
        json,
    })
}

fn side(out: &mut impl Write, run: &VariantRun) -> std::io::Result<()> {
    writeln!(
        out,
        "== {} ({:?} after {} events)",
        run.label, run.stopped, run.events
    )?;
    for l in outcome_lines(&run.outcome) {
        writeln!(out, "  {l}")?;
    }
    for n in &run.notes {
        writeln!(out, "  note: {n}")?;
    }
    Ok(())
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
    let cmp = match variant::compare(&scenario, &args.a, &args.b) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = (|| -> std::io::Result<()> {
        if args.json {
            return writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&cmp).unwrap_or_default()
            );
        }
        side(&mut out, &cmp.a)?;
        side(&mut out, &cmp.b)?;
        writeln!(out, "== difference")?;
        if cmp.differences.is_empty() {
            writeln!(out, "  Both ways gave the same numbers.")?;
        }
        for d in &cmp.differences {
            writeln!(out, "  {}", d.text)?;
        }
        Ok(())
    })();
    let _ = out.flush();
    ExitCode::SUCCESS
}
