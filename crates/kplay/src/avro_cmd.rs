//! `kplay avro`: Avro values in Confluent's wire format and Schema Registry compatibility
//! checks, on the command line. The command line is a contract (issue 14): the oracle tests
//! (`tests/oracle/test_avro.py`, against fastavro) call it.
//!
//! ```text
//! kplay avro encode --schema S.avsc --schema-id N [--plain] IN.json OUT.bin
//! kplay avro decode --schema S.avsc [--plain] IN.bin [--layout]
//! kplay avro compat --level LEVEL OLD.avsc… NEW.avsc
//! ```
//! `encode` reads one value in the Avro JSON encoding and writes magic byte 0, the schema id
//! (4 bytes big-endian) and the Avro binary. `decode` prints the JSON encoding (fields in schema
//! order); `--layout` then prints each byte span (`start..end path: what`). With `--plain`,
//! both read and print the application's plain JSON instead (`kavro::plain_json`: unions
//! bare, decimals as numbers), the dict a Python program hands to `AvroSerializer`. `compat` takes the
//! subject's schemas oldest first, the last being the one registered. Exit codes: 0 success
//! (compatible), 1 the data does not encode/decode (not compatible, with the reason), 2 bad
//! usage or an invalid schema.

use std::process::ExitCode;

use kavro::{
    check_level, decode_framed, encode, frame, from_json, from_plain_json, to_json, to_plain_json,
    CompatibilityLevel, Schema,
};

const USAGE: &str = "usage:
  kplay avro encode --schema S.avsc --schema-id N [--plain] IN.json OUT.bin
  kplay avro decode --schema S.avsc [--plain] IN.bin [--layout]
  kplay avro compat --level NONE|BACKWARD|BACKWARD_TRANSITIVE|FORWARD|FORWARD_TRANSITIVE|FULL|FULL_TRANSITIVE OLD.avsc... NEW.avsc
--plain: the value as plain JSON (unions bare, decimals as numbers), not the Avro JSON encoding.
schemas for compat are given oldest first; the last is the one being registered.
exit: 0 ok/compatible, 1 data error/incompatible, 2 usage or invalid schema";

/// A failure and its exit code.
enum Failure {
    /// Exit 1: the data or the schemas' compatibility.
    Data(String),
    /// Exit 2: the command line, a file, or a schema.
    Usage(String),
}

/// Entry point for `kplay avro …`; `args` excludes the word `avro`.
pub fn main(args: &[String]) -> ExitCode {
    let result = match args.first().map(String::as_str) {
        Some("encode") => encode_cmd(&args[1..]),
        Some("decode") => decode_cmd(&args[1..]),
        Some("compat") => compat_cmd(&args[1..]),
        Some("--help") | Some("-h") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(Failure::Usage(format!(
            "expected 'encode', 'decode' or 'compat'\n{USAGE}"
        ))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Data(msg)) => {
            eprintln!("kplay avro: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("kplay avro: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Options (`--name value` or a bare `--flag`) and positional arguments.
struct Parsed {
    schema: Option<String>,
    schema_id: Option<String>,
    level: Option<String>,
    layout: bool,
    plain: bool,
    positional: Vec<String>,
}

fn parse(args: &[String]) -> Result<Parsed, Failure> {
    let mut p = Parsed {
        schema: None,
        schema_id: None,
        level: None,
        layout: false,
        plain: false,
        positional: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value\n{USAGE}")))
        };
        match a.as_str() {
            "--schema" => p.schema = Some(value("--schema")?),
            "--schema-id" => p.schema_id = Some(value("--schema-id")?),
            "--level" => p.level = Some(value("--level")?),
            "--layout" => p.layout = true,
            "--plain" => p.plain = true,
            s if s.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option '{s}'\n{USAGE}")))
            }
            _ => p.positional.push(a.clone()),
        }
    }
    Ok(p)
}

fn read_text(path: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::Usage(format!("reading {path}: {e}")))
}

fn load_schema(path: &str) -> Result<Schema, Failure> {
    Schema::parse(&read_text(path)?).map_err(|e| Failure::Usage(format!("{path}: {e}")))
}

fn encode_cmd(args: &[String]) -> Result<(), Failure> {
    let p = parse(args)?;
    let (Some(schema_path), Some(id), [input, output]) =
        (&p.schema, &p.schema_id, p.positional.as_slice())
    else {
        return Err(Failure::Usage(format!(
            "encode needs --schema, --schema-id, IN.json and OUT.bin\n{USAGE}"
        )));
    };
    let schema_id: u32 = id.parse().map_err(|_| {
        Failure::Usage(format!(
            "--schema-id '{id}' is not a number in 0..=4294967295"
        ))
    })?;
    let schema = load_schema(schema_path)?;
    let text = read_text(input)?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Data(format!("{input} is not JSON: {e}")))?;
    let value = if p.plain {
        from_plain_json(&schema, &json)
    } else {
        from_json(&schema, &json)
    }
    .map_err(|e| Failure::Data(e.to_string()))?;
    let payload = encode(&schema, &value).map_err(|e| Failure::Data(e.to_string()))?;
    std::fs::write(output, frame(schema_id, &payload))
        .map_err(|e| Failure::Usage(format!("writing {output}: {e}")))
}

fn decode_cmd(args: &[String]) -> Result<(), Failure> {
    let p = parse(args)?;
    let (Some(schema_path), [input]) = (&p.schema, p.positional.as_slice()) else {
        return Err(Failure::Usage(format!(
            "decode needs --schema and IN.bin\n{USAGE}"
        )));
    };
    let schema = load_schema(schema_path)?;
    let bytes =
        std::fs::read(input).map_err(|e| Failure::Usage(format!("reading {input}: {e}")))?;
    let message = decode_framed(&schema, &bytes).map_err(|e| Failure::Data(e.to_string()))?;
    let value = &message.decoded.value;
    if p.plain {
        println!("{}", to_plain_json(&schema, value));
    } else {
        println!("{}", to_json(&schema, value));
    }
    if p.layout {
        for s in &message.decoded.spans {
            let path = if s.path.is_empty() { "-" } else { &s.path };
            println!("{}..{} {path}: {}", s.start, s.end, s.what);
        }
    }
    Ok(())
}

fn compat_cmd(args: &[String]) -> Result<(), Failure> {
    let p = parse(args)?;
    let Some(level_name) = &p.level else {
        return Err(Failure::Usage(format!("compat needs --level\n{USAGE}")));
    };
    let level = CompatibilityLevel::parse(level_name).ok_or_else(|| {
        Failure::Usage(format!(
            "unknown compatibility level '{level_name}'\n{USAGE}"
        ))
    })?;
    if p.positional.len() < 2 {
        return Err(Failure::Usage(format!(
            "compat needs at least two schemas (oldest first, the new one last)\n{USAGE}"
        )));
    }
    let schemas = p
        .positional
        .iter()
        .map(|path| load_schema(path))
        .collect::<Result<Vec<_>, _>>()?;
    let (new, earlier) = schemas.split_last().expect("at least two");
    match check_level(level, new, earlier) {
        Ok(()) => {
            println!("compatible under {}", level.name());
            Ok(())
        }
        Err(e) => {
            println!("{e}");
            Err(Failure::Data(format!(
                "{} is incompatible with {}",
                p.positional.last().expect("at least two"),
                p.positional[e.earlier_index]
            )))
        }
    }
}
