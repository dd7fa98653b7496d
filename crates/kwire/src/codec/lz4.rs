//! lz4 (codec 3): the LZ4 frame format as Kafka writes it (docs/kafka-sources.md §2.1; Kafka
//! `KafkaLZ4BlockOutputStream`, librdkafka `rd_kafka_lz4_compress`), built here around our
//! deterministic block compressor ([`super::lz4_block`]) and `lz4_flex`'s block decoder.
//!
//! Written like Java's `KafkaLZ4BlockOutputStream` and librdkafka's LZ4F settings:
//! magic `04 22 4d 18`, FLG 0x60 (version 01, independent blocks, no checksums, no content size),
//! BD 0x40 (64 KiB blocks), HC = `(xxHash32(FLG, BD) >> 8) & 0xff` = 0x82; then blocks
//! (`u32` LE size, high bit set ⇒ stored uncompressed because compression did not shrink it, as
//! LZ4F does), then the end mark `00 00 00 00`. Reading accepts any frame with independent blocks:
//! with content size (python-lz4, FLG 0x68), block and content checksums, several frames.
//! Dependent blocks are refused, as Java refuses them.

use twox_hash::XxHash32;

use super::{corrupt, push_capped, FramingSpan};
use crate::error::WireError;

const NAME: &str = "lz4";
/// LZ4 frame magic number (little-endian on the wire: `04 22 4d 18`).
pub const MAGIC: u32 = 0x184D_2204;
/// FLG written by Java and librdkafka: version 01, block independence.
pub const FLG: u8 = 0x60;
/// BD written by Java and librdkafka: 64 KiB maximum block size.
pub const BD: u8 = 0x40;
/// Input bytes per block for BD 0x40.
pub const BLOCK_BYTES: usize = 64 * 1024;
const UNCOMPRESSED_BIT: u32 = 0x8000_0000;

/// The frame descriptor checksum byte over `descriptor` (FLG through the optional fields).
pub fn header_checksum(descriptor: &[u8]) -> u8 {
    (XxHash32::oneshot(0, descriptor) >> 8) as u8
}

/// Compresses `input` as one LZ4 frame with FLG 0x60 / BD 0x40 / HC 0x82.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 16);
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.push(FLG);
    out.push(BD);
    out.push(header_checksum(&[FLG, BD]));
    let mut block = Vec::with_capacity(BLOCK_BYTES + BLOCK_BYTES / 255 + 16);
    for chunk in input.chunks(BLOCK_BYTES) {
        block.clear();
        super::lz4_block::compress_block(chunk, &mut block);
        if block.len() < chunk.len() {
            out.extend_from_slice(&(block.len() as u32).to_le_bytes());
            out.extend_from_slice(&block);
        } else {
            out.extend_from_slice(&(chunk.len() as u32 | UNCOMPRESSED_BIT).to_le_bytes());
            out.extend_from_slice(chunk);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

fn u32_at(input: &[u8], at: usize, field: &'static str) -> Result<u32, WireError> {
    match input.get(at..at.saturating_add(4)) {
        Some(b) => Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        None => Err(WireError::Truncated {
            needed_bytes: 4,
            available_bytes: input.len().saturating_sub(at),
            field,
        }),
    }
}

/// Decompresses every frame in `input`, capped at `limit_bytes`.
pub fn decompress(input: &[u8], limit_bytes: usize) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    walk(input, Some((&mut out, limit_bytes)), None)?;
    Ok(out)
}

/// The framing of an lz4 records section: magic, FLG, BD, optional content size, HC, each
/// block's size word and data, end mark and optional content checksum.
pub fn framing_spans(input: &[u8]) -> Result<Vec<FramingSpan>, WireError> {
    let mut spans = Vec::new();
    walk(input, None, Some(&mut spans))?;
    Ok(spans)
}

fn walk(
    input: &[u8],
    mut sink: Option<(&mut Vec<u8>, usize)>,
    mut spans: Option<&mut Vec<FramingSpan>>,
) -> Result<(), WireError> {
    let mut pos = 0;
    let mut frame = 0;
    let mut scratch: Vec<u8> = Vec::new();
    while pos < input.len() || frame == 0 {
        let p = format!("lz4[{frame}].");
        let mut span = |s: FramingSpan| {
            if let Some(v) = spans.as_deref_mut() {
                v.push(s);
            }
        };
        let magic = u32_at(input, pos, "lz4 magic")?;
        if magic != MAGIC {
            return Err(corrupt(NAME, format!("bad frame magic {magic:#010x}")));
        }
        span(FramingSpan::meta(pos, 4, format!("{p}magic"), "0x184d2204"));
        pos += 4;
        let (Some(&flg), Some(&bd)) = (input.get(pos), input.get(pos + 1)) else {
            return Err(WireError::Truncated {
                needed_bytes: 2,
                available_bytes: 0,
                field: "lz4 FLG/BD",
            });
        };
        let descriptor_start = pos;
        if flg >> 6 != 1 {
            return Err(corrupt(
                NAME,
                format!("FLG {flg:#04x}: version {} is not 01", flg >> 6),
            ));
        }
        if flg & 0x02 != 0 || bd & 0x8f != 0 {
            return Err(corrupt(
                NAME,
                format!("reserved bits set in FLG {flg:#04x} / BD {bd:#04x}"),
            ));
        }
        if flg & 0x20 == 0 {
            return Err(corrupt(
                NAME,
                "dependent blocks are not supported (Java refuses them too)",
            ));
        }
        if flg & 0x01 != 0 {
            return Err(corrupt(
                NAME,
                "frames with a dictionary id are not supported",
            ));
        }
        let block_checksums = flg & 0x10 != 0;
        let has_content_size = flg & 0x08 != 0;
        let content_checksum = flg & 0x04 != 0;
        let block_max = match (bd >> 4) & 0x07 {
            4 => 64 << 10,
            5 => 256 << 10,
            6 => 1 << 20,
            7 => 4 << 20,
            other => {
                return Err(corrupt(
                    NAME,
                    format!("BD block size code {other} is invalid"),
                ))
            }
        };
        let mut flags = vec!["independent blocks"];
        if block_checksums {
            flags.push("block checksums");
        }
        if has_content_size {
            flags.push("content size");
        }
        if content_checksum {
            flags.push("content checksum");
        }
        span(FramingSpan::meta(
            pos,
            1,
            format!("{p}FLG"),
            format!("{flg:#04x} ({})", flags.join(", ")),
        ));
        span(FramingSpan::meta(
            pos + 1,
            1,
            format!("{p}BD"),
            format!("{bd:#04x} ({} KiB blocks)", block_max >> 10),
        ));
        pos += 2;
        let mut content_size = None;
        if has_content_size {
            let Some(b) = input.get(pos..pos + 8) else {
                return Err(WireError::Truncated {
                    needed_bytes: 8,
                    available_bytes: 0,
                    field: "lz4 content size",
                });
            };
            let size = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            span(FramingSpan::meta(
                pos,
                8,
                format!("{p}contentSize"),
                size.to_string(),
            ));
            content_size = Some(size);
            pos += 8;
        }
        let Some(&hc) = input.get(pos) else {
            return Err(WireError::Truncated {
                needed_bytes: 1,
                available_bytes: 0,
                field: "lz4 HC",
            });
        };
        let expected_hc = header_checksum(&input[descriptor_start..pos]);
        if hc != expected_hc {
            return Err(corrupt(
                NAME,
                format!("header checksum {hc:#04x} != {expected_hc:#04x}"),
            ));
        }
        span(FramingSpan::meta(
            pos,
            1,
            format!("{p}HC"),
            format!("{hc:#04x}"),
        ));
        pos += 1;
        let frame_out_start = sink.as_ref().map_or(0, |(out, _)| out.len());
        let mut block = 0;
        loop {
            let word = u32_at(input, pos, "lz4 block size")?;
            if word == 0 {
                span(FramingSpan::meta(pos, 4, format!("{p}endMark"), "0"));
                pos += 4;
                break;
            }
            let stored = word & UNCOMPRESSED_BIT != 0;
            let size = (word & !UNCOMPRESSED_BIT) as usize;
            if size > block_max {
                return Err(corrupt(
                    NAME,
                    format!("block of {size} bytes exceeds the {block_max}-byte maximum"),
                ));
            }
            let how = if stored {
                "stored uncompressed"
            } else {
                "compressed"
            };
            span(FramingSpan::meta(
                pos,
                4,
                format!("{p}block[{block}].size"),
                format!("{size} ({how})"),
            ));
            pos += 4;
            let Some(data) = input.get(pos..pos + size) else {
                return Err(WireError::Truncated {
                    needed_bytes: size,
                    available_bytes: input.len().saturating_sub(pos),
                    field: "lz4 block",
                });
            };
            if stored {
                span(FramingSpan::meta(
                    pos,
                    size,
                    format!("{p}block[{block}].data"),
                    format!("{size} uncompressed bytes"),
                ));
            } else {
                span(FramingSpan::payload(
                    pos,
                    size,
                    format!("{p}block[{block}].data"),
                ));
            }
            pos += size;
            if block_checksums {
                let sum = u32_at(input, pos, "lz4 block checksum")?;
                if sum != XxHash32::oneshot(0, data) {
                    return Err(corrupt(NAME, format!("block {block} checksum mismatch")));
                }
                span(FramingSpan::meta(
                    pos,
                    4,
                    format!("{p}block[{block}].checksum"),
                    format!("{sum:#010x}"),
                ));
                pos += 4;
            }
            if let Some((out, limit_bytes)) = sink.as_mut() {
                if stored {
                    push_capped(out, data, *limit_bytes)?;
                } else {
                    // Never more than one block (≤ 4 MiB) and never more than the limit allows.
                    let room = limit_bytes.saturating_sub(out.len()).min(block_max);
                    scratch.resize(room, 0);
                    match lz4_flex::block::decompress_into(data, &mut scratch) {
                        Ok(n) => push_capped(out, &scratch[..n], *limit_bytes)?,
                        Err(lz4_flex::block::DecompressError::OutputTooSmall { .. })
                            if room < block_max =>
                        {
                            return Err(WireError::DecompressionLimit {
                                limit_bytes: *limit_bytes,
                            })
                        }
                        Err(e) => return Err(corrupt(NAME, format!("block {block}: {e}"))),
                    }
                }
            }
            block += 1;
        }
        if content_checksum {
            let sum = u32_at(input, pos, "lz4 content checksum")?;
            if let Some((out, _)) = sink.as_ref() {
                if sum != XxHash32::oneshot(0, out.get(frame_out_start..).unwrap_or(&[])) {
                    return Err(corrupt(NAME, "content checksum mismatch"));
                }
            }
            span(FramingSpan::meta(
                pos,
                4,
                format!("{p}contentChecksum"),
                format!("{sum:#010x}"),
            ));
            pos += 4;
        }
        if let (Some(size), Some((out, _))) = (content_size, sink.as_ref()) {
            let produced = (out.len() - frame_out_start) as u64;
            if size != produced {
                return Err(corrupt(
                    NAME,
                    format!("content size says {size} bytes, frame holds {produced}"),
                ));
            }
        }
        frame += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_header_is_the_one_kafka_writes() {
        assert_eq!(header_checksum(&[FLG, BD]), 0x82);
        let data = b"payload-2 ".repeat(20_000); // 200 000 bytes: 4 blocks
        let z = compress(&data);
        assert_eq!(&z[..7], &[0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
        assert_eq!(&z[z.len() - 4..], &[0, 0, 0, 0]);
        assert_eq!(decompress(&z, 1 << 20).unwrap(), data);
        let blocks = framing_spans(&z)
            .unwrap()
            .iter()
            .filter(|s| s.name.ends_with(".data"))
            .count();
        assert_eq!(blocks, 4);
    }

    #[test]
    fn incompressible_blocks_are_stored_with_the_high_bit() {
        let mut x = 0x2545_f491_u32;
        let data: Vec<u8> = (0..1000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let z = compress(&data);
        assert_eq!(
            u32::from_le_bytes([z[7], z[8], z[9], z[10]]),
            1000 | UNCOMPRESSED_BIT
        );
        assert_eq!(decompress(&z, 1 << 20).unwrap(), data);
    }

    #[test]
    fn content_size_frames_are_read_and_lies_rejected() {
        let data = b"abcabcabcabcabcabcabc".to_vec();
        let plain = compress(&data);
        // Rebuild with FLG 0x68 + content size, as python-lz4 writes.
        let mut f = vec![0x04, 0x22, 0x4d, 0x18, 0x68, 0x40];
        f.extend_from_slice(&(data.len() as u64).to_le_bytes());
        let hc = header_checksum(&f[4..]);
        f.push(hc);
        f.extend_from_slice(&plain[7..]);
        assert_eq!(decompress(&f, 1 << 20).unwrap(), data);
        let mut lie = f.clone();
        lie[6] ^= 1;
        lie[14] = header_checksum(&lie[4..14]);
        assert!(decompress(&lie, 1 << 20).is_err());
        assert!(decompress(&plain[..plain.len() - 2], 1 << 20).is_err());
        let big = compress(&vec![7u8; 300_000]);
        assert_eq!(
            decompress(&big, 100_000),
            Err(WireError::DecompressionLimit {
                limit_bytes: 100_000
            })
        );
    }
}
