//! snappy (codec 2): raw snappy like librdkafka, or xerial framing like the Java client
//! (docs/kafka-sources.md §2.1). Reading detects the 8-byte xerial magic and otherwise decodes one
//! raw block, as librdkafka (`rd_kafka_msgset_reader_decompress`), snappy-java and kafka-python do.
//!
//! xerial framing: `82 'SNAPPY' 00 | int32 BE version 1 | int32 BE min-compatible 1`, then
//! repeated `int32 BE compressed length | raw snappy block` with at most 32 KiB of input per block.

use super::{corrupt, FramingSpan};
use crate::codec::SnappyFraming;
use crate::error::WireError;

const NAME: &str = "snappy";
/// The 8-byte xerial magic: `0x82 S N A P P Y 0x00`.
pub const XERIAL_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
/// Input bytes per xerial block (snappy-java `SnappyOutputStream` default, kafka-python too).
pub const XERIAL_BLOCK_BYTES: usize = 32 * 1024;
const XERIAL_HEADER_BYTES: usize = 16;
/// Most output a snappy element can produce per input byte: a 3-byte copy yields 64 bytes.
const MAX_EXPANSION: usize = 22;

fn raw_block(input: &[u8]) -> Result<Vec<u8>, WireError> {
    snap::raw::Encoder::new()
        .compress_vec(input)
        .map_err(|e| WireError::InvalidRecord(format!("snappy cannot compress this input: {e}")))
}

/// Compresses `input` as one raw block or with xerial framing.
pub fn compress(input: &[u8], framing: SnappyFraming) -> Result<Vec<u8>, WireError> {
    match framing {
        SnappyFraming::Raw => raw_block(input),
        SnappyFraming::Xerial => {
            let mut out = Vec::with_capacity(XERIAL_HEADER_BYTES + input.len() / 2 + 8);
            out.extend_from_slice(&XERIAL_MAGIC);
            out.extend_from_slice(&1i32.to_be_bytes());
            out.extend_from_slice(&1i32.to_be_bytes());
            for chunk in input.chunks(XERIAL_BLOCK_BYTES) {
                let block = raw_block(chunk)?;
                out.extend_from_slice(&(block.len() as i32).to_be_bytes());
                out.extend_from_slice(&block);
            }
            Ok(out)
        }
    }
}

/// True when `input` starts with the xerial header magic.
pub fn is_xerial(input: &[u8]) -> bool {
    input.len() >= XERIAL_HEADER_BYTES && input[..8] == XERIAL_MAGIC
}

/// Decompresses one raw block and appends it to `out`. The block's declared length is checked
/// against the limit and against what its bytes can possibly hold before anything is allocated.
fn raw_into(block: &[u8], out: &mut Vec<u8>, limit_bytes: usize) -> Result<(), WireError> {
    let declared = snap::raw::decompress_len(block).map_err(|e| corrupt(NAME, e.to_string()))?;
    if declared > limit_bytes.saturating_sub(out.len()) {
        return Err(WireError::DecompressionLimit { limit_bytes });
    }
    if declared > block.len().saturating_mul(MAX_EXPANSION) {
        return Err(corrupt(
            NAME,
            format!(
                "{} bytes cannot expand to the declared {declared}",
                block.len()
            ),
        ));
    }
    let start = out.len();
    out.resize(start + declared, 0);
    let n = snap::raw::Decoder::new()
        .decompress(block, &mut out[start..])
        .map_err(|e| corrupt(NAME, e.to_string()))?;
    out.truncate(start + n);
    Ok(())
}

/// Decompresses raw or xerial-framed snappy (detected by the magic), capped at `limit_bytes`.
pub fn decompress(input: &[u8], limit_bytes: usize) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    walk(input, |block| raw_into(block, &mut out, limit_bytes), None)?;
    Ok(out)
}

fn walk(
    input: &[u8],
    mut on_block: impl FnMut(&[u8]) -> Result<(), WireError>,
    mut spans: Option<&mut Vec<FramingSpan>>,
) -> Result<(), WireError> {
    if !is_xerial(input) {
        if let Some(s) = spans.as_deref_mut() {
            // Raw block: the uncompressed length varint, then the elements.
            let mut len_bytes = 0;
            let mut declared: u64 = 0;
            for (i, &b) in input.iter().take(5).enumerate() {
                declared |= ((b & 0x7f) as u64) << (7 * i);
                len_bytes = i + 1;
                if b & 0x80 == 0 {
                    break;
                }
            }
            if len_bytes > 0 {
                s.push(FramingSpan::meta(
                    0,
                    len_bytes,
                    "snappy.uncompressedLength",
                    declared.to_string(),
                ));
            }
            if input.len() > len_bytes {
                s.push(FramingSpan::payload(
                    len_bytes,
                    input.len() - len_bytes,
                    "snappy.elements",
                ));
            }
        }
        return on_block(input);
    }
    let version = i32::from_be_bytes([input[8], input[9], input[10], input[11]]);
    let compat = i32::from_be_bytes([input[12], input[13], input[14], input[15]]);
    if let Some(s) = spans.as_deref_mut() {
        s.push(FramingSpan::meta(0, 8, "xerial.magic", "82 SNAPPY 00"));
        s.push(FramingSpan::meta(
            8,
            4,
            "xerial.version",
            version.to_string(),
        ));
        s.push(FramingSpan::meta(
            12,
            4,
            "xerial.minCompatibleVersion",
            compat.to_string(),
        ));
    }
    let mut pos = XERIAL_HEADER_BYTES;
    let mut index = 0;
    while pos < input.len() {
        let Some(len_bytes) = input.get(pos..pos + 4) else {
            return Err(WireError::Truncated {
                needed_bytes: 4,
                available_bytes: input.len() - pos,
                field: "xerial block length",
            });
        };
        let len = i32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        if len < 0 {
            return Err(corrupt(
                NAME,
                format!("xerial block length {len} is negative"),
            ));
        }
        let len = len as usize;
        let Some(block) = input.get(pos + 4..pos + 4 + len) else {
            return Err(WireError::Truncated {
                needed_bytes: len,
                available_bytes: input.len() - pos - 4,
                field: "xerial block",
            });
        };
        if let Some(s) = spans.as_deref_mut() {
            s.push(FramingSpan::meta(
                pos,
                4,
                format!("xerial.block[{index}].length"),
                len.to_string(),
            ));
            if len > 0 {
                s.push(FramingSpan::payload(
                    pos + 4,
                    len,
                    format!("xerial.block[{index}].snappy"),
                ));
            }
        }
        on_block(block)?;
        pos += 4 + len;
        index += 1;
    }
    Ok(())
}

/// The framing of a snappy records section: xerial header and block lengths, or the raw block's
/// length varint.
pub fn framing_spans(input: &[u8]) -> Result<Vec<FramingSpan>, WireError> {
    let mut spans = Vec::new();
    walk(input, |_| Ok(()), Some(&mut spans))?;
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_xerial_round_trip_and_are_told_apart() {
        let data = b"payload-1 payload-1 ".repeat(5000); // 100 000 bytes: 4 xerial blocks
        let raw = compress(&data, SnappyFraming::Raw).unwrap();
        assert!(!is_xerial(&raw));
        let x = compress(&data, SnappyFraming::Xerial).unwrap();
        assert_eq!(&x[..16], b"\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01");
        assert_eq!(
            framing_spans(&x)
                .unwrap()
                .iter()
                .filter(|s| s.is_payload)
                .count(),
            4
        );
        assert_eq!(decompress(&raw, 1 << 20).unwrap(), data);
        assert_eq!(decompress(&x, 1 << 20).unwrap(), data);
    }

    #[test]
    fn a_lying_length_is_refused_before_allocating() {
        // Declares 2^32-1 bytes in a 6-byte block.
        let bomb = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00];
        assert_eq!(
            decompress(&bomb, 1 << 20),
            Err(WireError::DecompressionLimit {
                limit_bytes: 1 << 20
            })
        );
        assert!(matches!(
            decompress(&bomb, usize::MAX),
            Err(WireError::Decompression { .. })
        ));
        let data = vec![0u8; 100_000];
        let x = compress(&data, SnappyFraming::Xerial).unwrap();
        assert_eq!(
            decompress(&x, 50_000),
            Err(WireError::DecompressionLimit {
                limit_bytes: 50_000
            })
        );
        assert!(decompress(&x[..x.len() - 1], 1 << 20).is_err());
    }
}
