//! Base64url without padding (RFC 4648 §5): the alphabet `A–Z a–z 0–9 - _`, safe in a URL
//! fragment without percent-encoding. Decoding is strict: any other character, a dangling
//! 6-bit group or non-zero trailing bits are errors (so one payload has exactly one spelling).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Why a base64url text could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base64Error {
    /// A character outside the base64url alphabet, at this byte position.
    InvalidChar { position_bytes: usize },
    /// The length leaves a single 6-bit group (`len % 4 == 1`), which encodes no byte.
    BadLength,
    /// The last character carries bits that no byte uses (a tampered or cut payload).
    TrailingBits,
}

/// Encodes bytes as base64url without padding.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let idx = ((n >> (18 - 6 * i)) & 63) as usize;
            out.push(ALPHABET[idx] as char);
        }
    }
    out
}

fn value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64url without padding (strict, see the module docs).
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(Base64Error::BadLength);
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for (ci, chunk) in bytes.chunks(4).enumerate() {
        let mut n: u32 = 0;
        for (i, &c) in chunk.iter().enumerate() {
            let v = value(c).ok_or(Base64Error::InvalidChar {
                position_bytes: ci * 4 + i,
            })?;
            n |= v << (18 - 6 * i);
        }
        let full = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let produced = chunk.len() - 1;
        if chunk.len() < 4 {
            // Bits below the last produced byte must be zero.
            let keep_bits = 8 * produced as u32;
            if n & ((1u32 << (24 - keep_bits)) - 1) != 0 {
                return Err(Base64Error::TrailingBits);
            }
        }
        out.extend_from_slice(&full[..produced]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_without_padding() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), enc);
            assert_eq!(decode(enc).unwrap(), plain.as_bytes());
        }
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn rejects_other_alphabets_padding_and_stray_bits() {
        assert_eq!(
            decode("Zm9v+g"),
            Err(Base64Error::InvalidChar { position_bytes: 4 })
        );
        assert_eq!(
            decode("Zg=="),
            Err(Base64Error::InvalidChar { position_bytes: 2 })
        );
        assert_eq!(decode("Zm9vY"), Err(Base64Error::BadLength));
        assert_eq!(decode("Zh"), Err(Base64Error::TrailingBits));
    }

    #[test]
    fn every_byte_round_trips() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..data.len() {
            assert_eq!(decode(&encode(&data[..n])).unwrap(), &data[..n]);
        }
    }
}
