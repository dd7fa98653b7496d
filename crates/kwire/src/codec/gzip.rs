//! gzip (codec 1): an RFC 1952 member around miniz_oxide's raw deflate
//! (docs/kafka-sources.md §2.1).
//!
//! Written like librdkafka (zlib `deflateInit2` with window bits 15+16): the 10-byte header
//! `1f 8b 08 00 00000000 XFL 03` (no flags, mtime 0, OS 3 = Unix) — XFL is what zlib writes:
//! 2 at level 9, 4 at levels 0–1, else 0 — then raw deflate, then CRC-32 and ISIZE
//! (little-endian). Reading accepts any valid member (FEXTRA/FNAME/FCOMMENT/FHCRC, any mtime/OS,
//! concatenated members like Java's `GZIPInputStream`) and checks CRC-32 and ISIZE.

use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::{corrupt, push_capped, FramingSpan};
use crate::error::WireError;

const NAME: &str = "gzip";
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
/// zlib's default level (`Z_DEFAULT_COMPRESSION`), which librdkafka uses for level −1.
pub const DEFAULT_LEVEL: u8 = 6;

/// The deflate level for a librdkafka `compression.level` (−1/None ⇒ 6, clamped to 0..=9).
pub fn level_for(level: Option<i32>) -> u8 {
    match level {
        None => DEFAULT_LEVEL,
        Some(l) if l < 0 => DEFAULT_LEVEL,
        Some(l) => l.min(9) as u8,
    }
}

/// Compresses `input` into one gzip member with librdkafka's header.
pub fn compress(input: &[u8], level: Option<i32>) -> Vec<u8> {
    let level = level_for(level);
    let xfl = match level {
        9 => 2,
        0 | 1 => 4,
        _ => 0,
    };
    let deflated = miniz_oxide::deflate::compress_to_vec(input, level);
    let mut out = Vec::with_capacity(18 + deflated.len());
    out.extend_from_slice(&[0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, xfl, 0x03]);
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&crc32fast::hash(input).to_le_bytes());
    out.extend_from_slice(&(input.len() as u32).to_le_bytes());
    out
}

fn need(input: &[u8], at: usize, len: usize, field: &'static str) -> Result<(), WireError> {
    if input.len() < at.saturating_add(len) {
        return Err(WireError::Truncated {
            needed_bytes: len,
            available_bytes: input.len().saturating_sub(at),
            field,
        });
    }
    Ok(())
}

/// Parses a member header at the start of `input`; returns its length and its spans
/// (offsets relative to `base`).
fn parse_header(
    input: &[u8],
    base: usize,
    member: usize,
) -> Result<(usize, Vec<FramingSpan>), WireError> {
    need(input, 0, 10, "gzip header")?;
    if input[0] != 0x1f || input[1] != 0x8b {
        return Err(corrupt(
            NAME,
            format!("bad magic {:02x}{:02x}, expected 1f8b", input[0], input[1]),
        ));
    }
    if input[2] != 8 {
        return Err(corrupt(
            NAME,
            format!("compression method {} is not deflate (8)", input[2]),
        ));
    }
    let flags = input[3];
    if flags & 0xe0 != 0 {
        return Err(corrupt(
            NAME,
            format!("reserved flag bits set in {flags:#04x}"),
        ));
    }
    let p = format!("gzip[{member}].");
    let mtime = u32::from_le_bytes([input[4], input[5], input[6], input[7]]);
    let mut spans = vec![
        FramingSpan::meta(base, 2, format!("{p}id"), "1f8b (gzip magic)"),
        FramingSpan::meta(base + 2, 1, format!("{p}cm"), "8 (deflate)"),
        FramingSpan::meta(base + 3, 1, format!("{p}flg"), format!("{flags:#04x}")),
        FramingSpan::meta(base + 4, 4, format!("{p}mtime"), mtime.to_string()),
        FramingSpan::meta(base + 8, 1, format!("{p}xfl"), input[8].to_string()),
        FramingSpan::meta(base + 9, 1, format!("{p}os"), input[9].to_string()),
    ];
    let mut pos = 10;
    if flags & FEXTRA != 0 {
        need(input, pos, 2, "gzip FEXTRA length")?;
        let xlen = u16::from_le_bytes([input[pos], input[pos + 1]]) as usize;
        spans.push(FramingSpan::meta(
            base + pos,
            2,
            format!("{p}xlen"),
            xlen.to_string(),
        ));
        pos += 2;
        need(input, pos, xlen, "gzip FEXTRA")?;
        if xlen > 0 {
            spans.push(FramingSpan::meta(
                base + pos,
                xlen,
                format!("{p}extra"),
                format!("{xlen} bytes"),
            ));
        }
        pos += xlen;
    }
    for (flag, field, name) in [
        (FNAME, "gzip FNAME", "fname"),
        (FCOMMENT, "gzip FCOMMENT", "fcomment"),
    ] {
        if flags & flag != 0 {
            let rest = input.get(pos..).unwrap_or(&[]);
            let Some(nul) = rest.iter().position(|&b| b == 0) else {
                return Err(WireError::Truncated {
                    needed_bytes: rest.len() + 1,
                    available_bytes: rest.len(),
                    field,
                });
            };
            let text = String::from_utf8_lossy(&rest[..nul]).into_owned();
            spans.push(FramingSpan::meta(
                base + pos,
                nul + 1,
                format!("{p}{name}"),
                text,
            ));
            pos += nul + 1;
        }
    }
    if flags & FHCRC != 0 {
        need(input, pos, 2, "gzip FHCRC")?;
        let stored = u16::from_le_bytes([input[pos], input[pos + 1]]);
        let actual = (crc32fast::hash(&input[..pos]) & 0xffff) as u16;
        if stored != actual {
            return Err(corrupt(
                NAME,
                format!("header CRC16 {stored:#06x} != {actual:#06x}"),
            ));
        }
        spans.push(FramingSpan::meta(
            base + pos,
            2,
            format!("{p}fhcrc"),
            format!("{stored:#06x}"),
        ));
        pos += 2;
    }
    Ok((pos, spans))
}

/// Inflates the raw deflate stream at the start of `input` into `out` (capped at `limit_bytes`)
/// and returns the number of input bytes it used.
fn inflate_member(input: &[u8], out: &mut Vec<u8>, limit_bytes: usize) -> Result<usize, WireError> {
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut chunk = vec![0u8; 32 * 1024];
    let mut pos = 0;
    loop {
        let rest = input.get(pos..).unwrap_or(&[]);
        let res = inflate(&mut state, rest, &mut chunk, MZFlush::None);
        pos += res.bytes_consumed;
        push_capped(
            out,
            chunk.get(..res.bytes_written).unwrap_or(&[]),
            limit_bytes,
        )?;
        match res.status {
            Ok(MZStatus::StreamEnd) => return Ok(pos),
            Ok(_) | Err(MZError::Buf) => {
                if res.bytes_consumed == 0 && res.bytes_written == 0 {
                    return Err(WireError::Truncated {
                        needed_bytes: 1,
                        available_bytes: 0,
                        field: "gzip deflate stream",
                    });
                }
            }
            Err(e) => return Err(corrupt(NAME, format!("invalid deflate data ({e:?})"))),
        }
    }
}

/// Decompresses one or more concatenated gzip members, checking each CRC-32 and ISIZE.
pub fn decompress(input: &[u8], limit_bytes: usize) -> Result<Vec<u8>, WireError> {
    walk(input, limit_bytes, None)
}

fn walk(
    input: &[u8],
    limit_bytes: usize,
    mut spans: Option<&mut Vec<FramingSpan>>,
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut member = 0;
    loop {
        let rest = input.get(pos..).unwrap_or(&[]);
        let (header_len, header_spans) = parse_header(rest, pos, member)?;
        pos += header_len;
        let start = out.len();
        let used = inflate_member(input.get(pos..).unwrap_or(&[]), &mut out, limit_bytes)?;
        let deflate_start = pos;
        pos += used;
        need(input, pos, 8, "gzip trailer")?;
        let stored_crc =
            u32::from_le_bytes([input[pos], input[pos + 1], input[pos + 2], input[pos + 3]]);
        let isize = u32::from_le_bytes([
            input[pos + 4],
            input[pos + 5],
            input[pos + 6],
            input[pos + 7],
        ]);
        let data = out.get(start..).unwrap_or(&[]);
        let actual_crc = crc32fast::hash(data);
        if stored_crc != actual_crc {
            return Err(corrupt(
                NAME,
                format!("CRC-32 {stored_crc:#010x} != {actual_crc:#010x}"),
            ));
        }
        if isize != data.len() as u32 {
            return Err(corrupt(
                NAME,
                format!("ISIZE {isize} != {} decompressed bytes", data.len()),
            ));
        }
        if let Some(s) = spans.as_deref_mut() {
            s.extend(header_spans);
            s.push(FramingSpan::payload(
                deflate_start,
                used,
                format!("gzip[{member}].deflate"),
            ));
            s.push(FramingSpan::meta(
                pos,
                4,
                format!("gzip[{member}].crc32"),
                format!("{stored_crc:#010x}"),
            ));
            s.push(FramingSpan::meta(
                pos + 4,
                4,
                format!("gzip[{member}].isize"),
                isize.to_string(),
            ));
        }
        pos += 8;
        member += 1;
        if pos >= input.len() {
            return Ok(out);
        }
    }
}

/// The framing of a gzip records section: header fields, deflate data, CRC-32 and ISIZE.
/// The deflate data is inflated (capped at `limit_bytes`) to find where it ends.
pub fn framing_spans(input: &[u8], limit_bytes: usize) -> Result<Vec<FramingSpan>, WireError> {
    let mut spans = Vec::new();
    walk(input, limit_bytes, Some(&mut spans))?;
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_librdkafka_header_and_round_trips() {
        let data = b"payload-0 payload-0 payload-0 payload-0 ".repeat(20);
        let z = compress(&data, None);
        assert_eq!(&z[..10], &[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]);
        assert!(z.len() < data.len() / 4);
        assert_eq!(decompress(&z, 1 << 20).unwrap(), data);
        assert_eq!(compress(&data, Some(9))[8], 2);
        assert_eq!(compress(&data, Some(1))[8], 4);
    }

    #[test]
    fn reads_optional_header_fields_and_concatenated_members() {
        let data = b"hello hello hello".to_vec();
        let plain = compress(&data, None);
        // FEXTRA + FNAME + FCOMMENT + FHCRC
        let mut h = vec![
            0x1f,
            0x8b,
            8,
            FEXTRA | FNAME | FCOMMENT | FHCRC,
            1,
            2,
            3,
            4,
            0,
            255,
        ];
        h.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        h.extend_from_slice(b"name.txt\0comment\0");
        let crc = (crc32fast::hash(&h) & 0xffff) as u16;
        h.extend_from_slice(&crc.to_le_bytes());
        h.extend_from_slice(&plain[10..]);
        h.extend_from_slice(&plain); // second member
        let mut twice = data.clone();
        twice.extend_from_slice(&data);
        assert_eq!(decompress(&h, 1 << 20).unwrap(), twice);
        let spans = framing_spans(&h, 1 << 20).unwrap();
        assert!(spans
            .iter()
            .any(|s| s.name == "gzip[0].fname" && s.value == "name.txt"));
        assert!(spans.iter().any(|s| s.name == "gzip[1].isize"));
    }

    #[test]
    fn rejects_bad_crc_truncation_and_bombs() {
        let data = vec![b'a'; 100_000];
        let z = compress(&data, None);
        let mut bad = z.clone();
        let n = bad.len();
        bad[n - 8] ^= 1;
        assert!(matches!(
            decompress(&bad, 1 << 20),
            Err(WireError::Decompression { .. })
        ));
        assert!(decompress(&z[..z.len() - 3], 1 << 20).is_err());
        assert!(decompress(&z[..20], 1 << 20).is_err());
        assert_eq!(
            decompress(&z, 50_000),
            Err(WireError::DecompressionLimit {
                limit_bytes: 50_000
            })
        );
    }
}
