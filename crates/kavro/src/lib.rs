//! Avro for the playground's serializers, with no web dependencies, no clock and no
//! randomness (Avro specification 1.11, the sections named in each module).
//!
//! - [`schema`]: schema JSON → [`Schema`] (named types, namespaces, aliases, defaults, logical
//!   types), bounded;
//! - [`value`]: the [`Value`] model;
//! - [`binary`]: the binary encoding both ways; decoding also gives each value's byte
//!   [`binary::Span`] for the hex view;
//! - [`json_encoding`]: the JSON encoding both ways (what `kplay avro` reads and prints, and
//!   the source of the serializer's type errors);
//! - [`wire_format`]: Confluent's framing (magic byte, schema id);
//! - [`compat`]: schema resolution and the Schema Registry's compatibility levels;
//! - [`logical`]: logical-type values in words.
//!
//! **Why not the `apache-avro` crate** (issue 14 asked for it, default features off). Measured
//! 2026-12 on wasm32-unknown-unknown, rustc 1.95, this workspace's release profile
//! (`opt-level = "z"`, LTO, one codegen unit, `panic = "abort"`), `wasm-opt -Oz` (binaryen from
//! web/node_modules), `gzip -9`; each build a cdylib that also links what the app already has
//! (serde_json both ways, float formatting):
//!
//! | build | wasm after wasm-opt | gzip -9 | over the base, gzip |
//! |---|--:|--:|--:|
//! | base only | 64,543 | 30,746 | — |
//! | apache-avro 0.22.0: parse a schema, encode and decode a record | 300,866 | 129,441 | +98.7 KB |
//! | kavro: the same plus the JSON encoding both ways, framing, the byte layout and a compatibility check | 147,081 | 65,043 | +34.3 KB |
//!
//! apache-avro alone would take 99 KB of the feature's 120 KB budget, and it reports no byte
//! offsets per field, which the inspector's annotated bytes need (magic byte, schema id, each
//! varint, length and union index). This crate does the part of Avro the playground uses,
//! checked byte for byte against fastavro (`tests/oracle/test_avro.py`).
//!
//! Decoders never trust declared lengths (see [`binary`]); schemas are bounded before use (see
//! [`schema`]).

pub mod bench;
pub mod binary;
pub mod compat;
mod conversions;
pub mod json_encoding;
pub mod logical;
pub mod plain_json;
pub mod schema;
pub mod value;
pub mod wire_format;

pub use binary::{
    decode, decode_with_layout, encode, DecodeError, DecodeErrorKind, Decoded, EncodeError, Span,
};
pub use compat::{
    can_read, check_level, CompatibilityLevel, Incompatibility, LevelIncompatibility,
};
pub use json_encoding::{from_json, to_json, Dialect, JsonError};
pub use plain_json::{from_plain_json, to_plain_json};
pub use schema::{Schema, SchemaError};
pub use value::Value;
pub use wire_format::{decode_framed, frame, unframe, FrameError};
