//! zstd (codec 4): zstd frames via `ruzstd` (docs/kafka-sources.md §2.1, §2.4).
//!
//! Reading accepts any frame, with or without content size (librdkafka omits it when linked
//! dynamically), with or without checksum, several frames and skippable frames. Writing uses
//! ruzstd's only implemented matcher ("fastest", about zstd level 1) with a content checksum;
//! librdkafka and Java default to level 3, so sizes differ a little from theirs.

use std::io::Read;

use ruzstd::decoding::{FrameDecoder, StreamingDecoder};
use ruzstd::encoding::{compress_to_vec, CompressionLevel};

use super::{corrupt, push_capped, FramingSpan};
use crate::error::WireError;

const NAME: &str = "zstd";
/// zstd frame magic number (little-endian on the wire: `28 b5 2f fd`).
pub const MAGIC: u32 = 0xFD2F_B528;
/// The window a frame may ask for is capped at max(limit, 8 MiB) and never above 128 MiB: the
/// decoder reserves the window up front, so this bounds what a frame header can make us allocate.
const MIN_WINDOW_CAP_BYTES: usize = 8 << 20;
const MAX_WINDOW_CAP_BYTES: usize = 128 << 20;

/// Compresses `input` into one zstd frame.
pub fn compress(input: &[u8]) -> Vec<u8> {
    compress_to_vec(input, CompressionLevel::Fastest)
}

fn is_skippable(magic: u32) -> bool {
    magic & 0xFFFF_FFF0 == 0x184D_2A50
}

fn u32_at(input: &[u8], at: usize) -> Option<u32> {
    input
        .get(at..at.checked_add(4)?)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// What the frame header at the start of `input` says.
struct FrameHeader {
    header_len: usize,
    content_size: Option<u64>,
    has_checksum: bool,
    descriptor: u8,
}

fn parse_frame_header(input: &[u8]) -> Result<FrameHeader, WireError> {
    let truncated = |n| WireError::Truncated {
        needed_bytes: n,
        available_bytes: input.len(),
        field: "zstd frame header",
    };
    let magic = u32_at(input, 0).ok_or(truncated(5))?;
    if magic != MAGIC {
        return Err(corrupt(NAME, format!("bad frame magic {magic:#010x}")));
    }
    let fhd = *input.get(4).ok_or(truncated(5))?;
    let single_segment = fhd & 0x20 != 0;
    let did_len = [0usize, 1, 2, 4][(fhd & 0x03) as usize];
    let fcs_len = match fhd >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let fcs_at = 5 + usize::from(!single_segment) + did_len;
    let header_len = fcs_at + fcs_len;
    let fcs = input.get(fcs_at..header_len).ok_or(truncated(header_len))?;
    let content_size = match fcs_len {
        0 => None,
        1 => Some(fcs[0] as u64),
        2 => Some(u16::from_le_bytes([fcs[0], fcs[1]]) as u64 + 256),
        4 => Some(u32::from_le_bytes([fcs[0], fcs[1], fcs[2], fcs[3]]) as u64),
        _ => Some(u64::from_le_bytes([
            fcs[0], fcs[1], fcs[2], fcs[3], fcs[4], fcs[5], fcs[6], fcs[7],
        ])),
    };
    Ok(FrameHeader {
        header_len,
        content_size,
        has_checksum: fhd & 0x04 != 0,
        descriptor: fhd,
    })
}

/// Decompresses every frame in `input`, capped at `limit_bytes`.
pub fn decompress(input: &[u8], limit_bytes: usize) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    walk(input, &mut out, limit_bytes, None)?;
    Ok(out)
}

/// The framing of a zstd records section: per frame the magic, the header (descriptor, window,
/// content size) and the blocks plus checksum as one span.
/// Frames are decoded (capped at `limit_bytes`) to find where they end.
pub fn framing_spans(input: &[u8], limit_bytes: usize) -> Result<Vec<FramingSpan>, WireError> {
    let mut spans = Vec::new();
    let mut scratch = Vec::new();
    walk(input, &mut scratch, limit_bytes, Some(&mut spans))?;
    Ok(spans)
}

fn walk(
    input: &[u8],
    out: &mut Vec<u8>,
    limit_bytes: usize,
    mut spans: Option<&mut Vec<FramingSpan>>,
) -> Result<(), WireError> {
    let mut pos = 0;
    let mut frame = 0;
    let mut chunk = vec![0u8; 32 * 1024];
    while pos < input.len() || frame == 0 {
        let rest = input.get(pos..).unwrap_or(&[]);
        let p = format!("zstd[{frame}].");
        if let Some(magic) = u32_at(rest, 0).filter(|m| is_skippable(*m)) {
            let len = u32_at(rest, 4).ok_or(WireError::Truncated {
                needed_bytes: 8,
                available_bytes: rest.len(),
                field: "zstd skippable frame",
            })? as usize;
            if rest.len() - 8 < len {
                return Err(WireError::Truncated {
                    needed_bytes: len,
                    available_bytes: rest.len() - 8,
                    field: "zstd skippable frame",
                });
            }
            if let Some(s) = spans.as_deref_mut() {
                s.push(FramingSpan::meta(
                    pos,
                    8 + len,
                    format!("{p}skippable"),
                    format!("{magic:#010x}, {len} bytes"),
                ));
            }
            pos += 8 + len;
            frame += 1;
            continue;
        }
        let header = parse_frame_header(rest)?;
        if let Some(size) = header.content_size {
            if size > limit_bytes.saturating_sub(out.len()) as u64 {
                return Err(WireError::DecompressionLimit { limit_bytes });
            }
        }
        let frame_out_start = out.len();
        let mut src = rest;
        let mut decoder = FrameDecoder::new();
        let window_cap = limit_bytes.clamp(MIN_WINDOW_CAP_BYTES, MAX_WINDOW_CAP_BYTES);
        decoder.set_max_window_size(window_cap as u64);
        {
            let mut stream = StreamingDecoder::new_with_decoder(&mut src, &mut decoder)
                .map_err(|e| corrupt(NAME, e.to_string()))?;
            loop {
                let n = stream
                    .read(&mut chunk)
                    .map_err(|e| corrupt(NAME, e.to_string()))?;
                if n == 0 {
                    break;
                }
                push_capped(out, &chunk[..n], limit_bytes)?;
            }
        }
        if !decoder.is_finished() {
            return Err(WireError::Truncated {
                needed_bytes: 1,
                available_bytes: 0,
                field: "zstd frame",
            });
        }
        if let (Some(stored), Some(actual)) = (
            decoder.get_checksum_from_data(),
            decoder.get_calculated_checksum(),
        ) {
            if stored != actual {
                return Err(corrupt(
                    NAME,
                    format!("content checksum {stored:#010x} != {actual:#010x}"),
                ));
            }
        }
        let produced = (out.len() - frame_out_start) as u64;
        if let Some(size) = header.content_size.filter(|s| *s != produced) {
            return Err(corrupt(
                NAME,
                format!("content size says {size} bytes, frame holds {produced}"),
            ));
        }
        let frame_len = rest.len() - src.len();
        if let Some(s) = spans.as_deref_mut() {
            let fhd = header.descriptor;
            let size = header
                .content_size
                .map_or("no content size".to_string(), |c| {
                    format!("content size {c}")
                });
            s.push(FramingSpan::meta(pos, 4, format!("{p}magic"), "0xfd2fb528"));
            s.push(FramingSpan::meta(
                pos + 4,
                header.header_len - 4,
                format!("{p}frameHeader"),
                format!("descriptor {fhd:#04x}, {size}"),
            ));
            let checksum_len = if header.has_checksum { 4 } else { 0 };
            let blocks_len = frame_len.saturating_sub(header.header_len + checksum_len);
            s.push(FramingSpan::payload(
                pos + header.header_len,
                blocks_len,
                format!("{p}blocks"),
            ));
            if checksum_len > 0 {
                let sum = u32_at(rest, frame_len - 4).unwrap_or(0);
                s.push(FramingSpan::meta(
                    pos + frame_len - 4,
                    4,
                    format!("{p}checksum"),
                    format!("{sum:#010x}"),
                ));
            }
        }
        if frame_len == 0 {
            return Err(corrupt(NAME, "frame consumed no input"));
        }
        pos += frame_len;
        frame += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_describes_the_frame() {
        let data = b"{\"user\":\"alice\",\"amount\":200} ".repeat(3000);
        let z = compress(&data);
        assert_eq!(&z[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
        assert!(z.len() < data.len() / 5);
        assert_eq!(decompress(&z, 1 << 20).unwrap(), data);
        let spans = framing_spans(&z, 1 << 20).unwrap();
        assert_eq!(spans.first().unwrap().start, 0);
        assert_eq!(spans.last().unwrap().end, z.len());
    }

    #[test]
    fn concatenated_and_skippable_frames_are_read_in_order() {
        let (a, b) = (b"first frame ".repeat(50), b"second frame ".repeat(70));
        let mut input = compress(&a);
        input.extend_from_slice(&0x184D_2A5Au32.to_le_bytes());
        input.extend_from_slice(&3u32.to_le_bytes());
        input.extend_from_slice(b"xyz");
        input.extend_from_slice(&compress(&b));
        let mut both = a.clone();
        both.extend_from_slice(&b);
        assert_eq!(decompress(&input, 1 << 20).unwrap(), both);
        let spans = framing_spans(&input, 1 << 20).unwrap();
        assert!(spans.iter().any(|s| s.name == "zstd[1].skippable"));
        assert!(spans.iter().any(|s| s.name == "zstd[2].magic"));
        assert_eq!(spans.last().unwrap().end, input.len());
    }

    #[test]
    fn truncation_corruption_and_bombs_are_errors() {
        let data = vec![9u8; 200_000];
        let z = compress(&data);
        assert!(decompress(&z[..z.len() - 5], 1 << 20).is_err());
        assert!(decompress(&[], 1 << 20).is_err());
        assert_eq!(
            decompress(&z, 100_000),
            Err(WireError::DecompressionLimit {
                limit_bytes: 100_000
            })
        );
    }
}
