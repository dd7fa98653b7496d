//! `kplay batch`: encode records into a real record batch v2, or decode and annotate batch bytes
//! (one batch, a captured records field or a `.log` segment). The command line is a contract
//! (issue 3): other tools and the oracle tests call it.
//!
//! ```text
//! kplay batch encode --codec none|gzip|snappy|lz4|zstd [--snappy-framing raw|xerial]
//!                    [--level N] [--skip-if-larger] IN.json OUT.bin
//! kplay batch decode IN.bin [--json]
//! ```
//! `-` as IN reads standard input (JSON for encode, hex text for decode); `-` as OUT writes hex.

use std::io::{Read, Write};
use std::process::ExitCode;

use kwire::layout::{layout_batches, BatchLayout, FieldGroup};
use kwire::{
    decode_batches, encode_batch, BatchSpec, Codec, Compression, DecodeLimits, Record,
    RecordHeader, SnappyFraming,
};
use serde_json::{json, Map, Value};

const USAGE: &str = "usage:
  kplay batch encode --codec none|gzip|snappy|lz4|zstd [--snappy-framing raw|xerial] [--level N]
                     [--skip-if-larger] IN.json OUT.bin
  kplay batch decode IN.bin [--json]
IN may be '-' (standard input: JSON for encode, hex text for decode); OUT may be '-' (hex).";

/// Entry point for `kplay batch …`; `args` excludes the word `batch`.
pub fn main(args: &[String]) -> ExitCode {
    let result = match args.first().map(String::as_str) {
        Some("encode") => encode_cmd(&args[1..]),
        Some("decode") => decode_cmd(&args[1..]),
        Some("--help") | Some("-h") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => Err(format!("expected 'encode' or 'decode'\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("kplay batch: {msg}");
            ExitCode::from(1)
        }
    }
}

fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))
    }
}

/// Parses hex text as a learner might paste it: whitespace, `0x` prefixes and `:` separators
/// are ignored.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = text
        .split_whitespace()
        .map(|w| w.strip_prefix("0x").unwrap_or(w))
        .collect::<String>()
        .replace(':', "");
    if !cleaned.len().is_multiple_of(2) {
        return Err(format!(
            "hex input has an odd number of digits ({})",
            cleaned.len()
        ));
    }
    let digits = cleaned.as_bytes();
    let mut out = Vec::with_capacity(digits.len() / 2);
    for (i, pair) in digits.chunks(2).enumerate() {
        let s = std::str::from_utf8(pair)
            .map_err(|_| format!("non-ASCII character near hex digit {}", i * 2))?;
        out.push(
            u8::from_str_radix(s, 16)
                .map_err(|_| format!("'{s}' at hex digit {} is not hex", i * 2))?,
        );
    }
    Ok(out)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------- encode ---

fn encode_cmd(args: &[String]) -> Result<(), String> {
    let mut compression = Compression::default();
    let mut codec = None;
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| it.next().cloned().ok_or(format!("{flag} needs a value"));
        match a.as_str() {
            "--codec" => {
                let v = value("--codec")?;
                codec = Some(
                    Codec::from_name(&v)
                        .ok_or(format!("unknown codec '{v}' (none|gzip|snappy|lz4|zstd)"))?,
                );
            }
            "--snappy-framing" => {
                compression.snappy_framing = match value("--snappy-framing")?.as_str() {
                    "raw" => SnappyFraming::Raw,
                    "xerial" => SnappyFraming::Xerial,
                    other => return Err(format!("unknown snappy framing '{other}' (raw|xerial)")),
                }
            }
            "--level" => {
                let v = value("--level")?;
                compression.level = Some(
                    v.parse()
                        .map_err(|_| format!("--level '{v}' is not an integer"))?,
                );
            }
            "--skip-if-larger" => compression.skip_if_larger = true,
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}"))
            }
            path => positional.push(path.to_string()),
        }
    }
    compression.codec = codec.ok_or(format!("--codec is required\n{USAGE}"))?;
    let [input, output] = positional.as_slice() else {
        return Err(format!("expected IN.json and OUT.bin\n{USAGE}"));
    };
    let text = read_input(input)?;
    let json: Value =
        serde_json::from_slice(&text).map_err(|e| format!("{input} is not valid JSON: {e}"))?;
    let (mut spec, records) = parse_batch_json(&json)?;
    spec.compression = compression;
    let encoded = encode_batch(&spec, &records).map_err(|e| e.to_string())?;
    if output == "-" {
        println!("{}", to_hex(&encoded.bytes));
    } else {
        std::fs::write(output, &encoded.bytes).map_err(|e| format!("writing {output}: {e}"))?;
    }
    Ok(())
}

fn int_field(obj: &Map<String, Value>, name: &str, default: i64) -> Result<i64, String> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_i64()
            .ok_or(format!("\"{name}\" must be an integer, got {v}")),
    }
}

fn ranged<T: TryFrom<i64>>(v: i64, name: &str) -> Result<T, String> {
    T::try_from(v).map_err(|_| format!("\"{name}\" {v} is out of range"))
}

/// A string (UTF-8), `null`, or `{"hex": "…"}` (what `decode --json` prints for other bytes).
fn bytes_field(v: Option<&Value>, what: &str) -> Result<Option<Vec<u8>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_bytes().to_vec())),
        Some(Value::Object(o)) => match o.get("hex") {
            Some(Value::String(h)) => parse_hex(h).map(Some).map_err(|e| format!("{what}: {e}")),
            _ => Err(format!("{what}: an object must be {{\"hex\": \"…\"}}")),
        },
        Some(other) => Err(format!(
            "{what} must be a string, null or {{\"hex\": …}}, got {other}"
        )),
    }
}

/// Reads the issue's input shape: `{"producer_id", "producer_epoch", "base_sequence",
/// "records": [{"timestamp", "key", "value", "headers": [[name, value], …]}, …]}`.
pub fn parse_batch_json(json: &Value) -> Result<(BatchSpec, Vec<Record>), String> {
    let obj = json.as_object().ok_or("the input must be a JSON object")?;
    let spec = BatchSpec {
        producer_id: int_field(obj, "producer_id", -1)?,
        producer_epoch: ranged(int_field(obj, "producer_epoch", -1)?, "producer_epoch")?,
        base_sequence: ranged(int_field(obj, "base_sequence", -1)?, "base_sequence")?,
        partition_leader_epoch: ranged(
            int_field(obj, "partition_leader_epoch", 0)?,
            "partition_leader_epoch",
        )?,
        transactional: obj
            .get("transactional")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        compression: Compression::default(),
    };
    let list = obj
        .get("records")
        .and_then(Value::as_array)
        .ok_or("\"records\" must be an array")?;
    let mut records = Vec::with_capacity(list.len());
    for (i, r) in list.iter().enumerate() {
        let r = r
            .as_object()
            .ok_or(format!("records[{i}] must be an object"))?;
        let timestamp_ms = match r.get("timestamp") {
            Some(v) => v
                .as_i64()
                .ok_or(format!("records[{i}].timestamp must be an integer"))?,
            None => return Err(format!("records[{i}].timestamp is missing")),
        };
        let mut headers = Vec::new();
        if let Some(hs) = r.get("headers").filter(|v| !v.is_null()) {
            let hs = hs
                .as_array()
                .ok_or(format!("records[{i}].headers must be an array"))?;
            for (j, h) in hs.iter().enumerate() {
                let what = format!("records[{i}].headers[{j}]");
                let pair = h
                    .as_array()
                    .filter(|p| p.len() == 2)
                    .ok_or(format!("{what} must be [name, value]"))?;
                let key = pair[0]
                    .as_str()
                    .ok_or(format!("{what} name must be a string"))?
                    .to_string();
                headers.push(RecordHeader {
                    key,
                    value: bytes_field(pair.get(1), &what)?,
                });
            }
        }
        records.push(Record {
            timestamp_ms,
            key: bytes_field(r.get("key"), &format!("records[{i}].key"))?,
            value: bytes_field(r.get("value"), &format!("records[{i}].value"))?,
            headers,
        });
    }
    if records.is_empty() {
        return Err("\"records\" must hold at least one record".into());
    }
    Ok((spec, records))
}

// ---------------------------------------------------------------- decode ---

fn decode_cmd(args: &[String]) -> Result<(), String> {
    let mut as_json = false;
    let mut input = None;
    for a in args {
        match a.as_str() {
            "--json" => as_json = true,
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}"))
            }
            path if input.is_none() => input = Some(path.to_string()),
            extra => return Err(format!("unexpected argument '{extra}'\n{USAGE}")),
        }
    }
    let input = input.ok_or(format!("expected IN.bin\n{USAGE}"))?;
    let raw = read_input(&input)?;
    let bytes = if input == "-" {
        parse_hex(&String::from_utf8_lossy(&raw))?
    } else {
        raw
    };
    if bytes.is_empty() {
        return Err("the input is empty".into());
    }
    let limits = DecodeLimits::default();
    if as_json {
        let batches = decode_batches(&bytes, &limits).map_err(|e| e.to_string())?;
        let out = json!({ "batches": batches.iter().map(batch_json).collect::<Vec<_>>() });
        let text = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(());
    }
    let layouts = layout_batches(&bytes, &limits).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    for (i, l) in layouts.iter().enumerate() {
        print_layout(&mut w, i, l, &bytes).map_err(|e| e.to_string())?;
    }
    if let Some(bad) = layouts.iter().position(|l| !l.crc_valid) {
        return Err(format!(
            "batch {bad}: CRC-32C mismatch — a broker would answer CORRUPT_MESSAGE (2)"
        ));
    }
    Ok(())
}

fn bytes_json(b: Option<&[u8]>) -> Value {
    match b {
        None => Value::Null,
        Some(b) => match std::str::from_utf8(b) {
            Ok(s) => Value::String(s.to_string()),
            Err(_) => json!({ "hex": to_hex(b) }),
        },
    }
}

fn batch_json(b: &kwire::DecodedBatch) -> Value {
    let h = &b.header;
    let records: Vec<Value> = b
        .records
        .iter()
        .map(|r| {
            json!({
                "offset_delta": r.offset_delta,
                "timestamp_delta": r.timestamp_delta,
                "timestamp": h.base_timestamp.wrapping_add(r.timestamp_delta),
                "key": bytes_json(r.key.as_deref()),
                "value": bytes_json(r.value.as_deref()),
                "headers": r.headers.iter()
                    .map(|x| json!([x.key, bytes_json(x.value.as_deref())]))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "base_offset": h.base_offset,
        "batch_length": h.batch_length,
        "partition_leader_epoch": h.partition_leader_epoch,
        "magic": h.magic,
        "crc": h.crc,
        "attributes": h.attributes,
        "codec": h.codec().map_or("unknown", Codec::name),
        "last_offset_delta": h.last_offset_delta,
        "base_timestamp": h.base_timestamp,
        "max_timestamp": h.max_timestamp,
        "producer_id": h.producer_id,
        "producer_epoch": h.producer_epoch,
        "base_sequence": h.base_sequence,
        "records_count": h.records_count,
        "size_bytes": h.size_bytes(),
        "uncompressed_records_bytes": b.uncompressed_records_bytes,
        "records": records,
    })
}

fn hex_cell(bytes: &[u8]) -> String {
    const SHOWN: usize = 12;
    let mut s: Vec<String> = bytes
        .iter()
        .take(SHOWN)
        .map(|b| format!("{b:02x}"))
        .collect();
    if bytes.len() > SHOWN {
        s.push(format!("…(+{})", bytes.len() - SHOWN));
    }
    s.join(" ")
}

fn print_fields(
    w: &mut impl Write,
    fields: &[kwire::layout::LayoutField],
    bytes: &[u8],
) -> std::io::Result<()> {
    writeln!(
        w,
        "  {:<13} {:<8} {:<44} {:<36} value",
        "bytes", "group", "hex", "field"
    )?;
    for f in fields {
        let span = bytes.get(f.start..f.end).unwrap_or(&[]);
        let group = match f.group {
            FieldGroup::Header => "header",
            FieldGroup::Record => "record",
            FieldGroup::Payload => "payload",
            FieldGroup::Framing => "framing",
        };
        writeln!(
            w,
            "  {:<13} {:<8} {:<44} {:<36} {}",
            format!("{}..{}", f.start, f.end),
            group,
            hex_cell(span),
            f.name,
            f.value
        )?;
    }
    Ok(())
}

fn print_layout(
    w: &mut impl Write,
    index: usize,
    l: &BatchLayout,
    bytes: &[u8],
) -> std::io::Result<()> {
    let h = &l.header;
    writeln!(
        w,
        "batch {index}: {} bytes, codec {}, {} records, offsets {}..={}, CRC {}",
        h.size_bytes(),
        l.codec.name(),
        h.records_count,
        h.base_offset,
        h.last_offset(),
        if l.crc_valid { "valid" } else { "MISMATCH" }
    )?;
    print_fields(w, &l.fields, bytes)?;
    if l.codec != Codec::None {
        let payload_bytes = h
            .size_bytes()
            .saturating_sub(kwire::batch::HEADER_SIZE_BYTES);
        writeln!(
            w,
            "\n  decompressed records section: {} bytes from {payload_bytes} compressed ({:.2}x)",
            l.records_bytes.len(),
            l.records_bytes.len() as f64 / payload_bytes.max(1) as f64
        )?;
        print_fields(w, &l.records, &l.records_bytes)?;
    }
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_input_tolerates_whitespace_prefixes_and_colons() {
        assert_eq!(
            parse_hex(" 0x00ff\n 1A:2b ").unwrap(),
            vec![0, 0xff, 0x1a, 0x2b]
        );
        assert!(parse_hex("abc").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(parse_hex("é1").is_err());
    }

    #[test]
    fn json_input_reports_what_is_wrong() {
        let ok = json!({"producer_id": 5, "producer_epoch": 1, "base_sequence": 9,
            "records": [{"timestamp": 1, "key": null, "value": {"hex": "ff00"}, "headers": [["a", null]]}]});
        let (spec, recs) = parse_batch_json(&ok).unwrap();
        assert_eq!(
            (spec.producer_id, spec.producer_epoch, spec.base_sequence),
            (5, 1, 9)
        );
        assert_eq!(recs[0].value.as_deref(), Some(&[0xff, 0][..]));
        for (bad, says) in [
            (json!([]), "object"),
            (json!({"records": []}), "at least one"),
            (json!({"records": [{"key": "a"}]}), "timestamp is missing"),
            (
                json!({"producer_epoch": 70000, "records": [{"timestamp": 1}]}),
                "out of range",
            ),
            (
                json!({"records": [{"timestamp": 1, "headers": [["a"]]}]}),
                "[name, value]",
            ),
        ] {
            let err = parse_batch_json(&bad).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
    }
}
