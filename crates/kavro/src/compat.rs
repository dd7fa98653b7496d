//! Can a reader schema read data written with a writer schema? (Avro specification 1.11,
//! "Schema Resolution"; the same checks as Java's `org.apache.avro.SchemaCompatibility`, which
//! Confluent's `io.confluent.kafka.schemaregistry.avro.AvroSchema.isBackwardCompatible` uses),
//! and on top of it the Schema Registry's compatibility levels (Confluent docs, "Schema
//! Evolution and Compatibility"; `io.confluent.kafka.schemaregistry.CompatibilityLevel`).
//!
//! Resolution rules, reader against writer:
//! - the same primitive type; or a promotion: `int` → `long`, `float`, `double`; `long` →
//!   `float`, `double`; `float` → `double`; `string` ↔ `bytes`;
//! - records, enums and fixed match when their unqualified names are equal or the writer's full
//!   name is one of the reader's aliases;
//! - records: each reader field is matched with the writer field of the same name or of one of
//!   the reader field's aliases and resolved against it; a reader field missing in the writer
//!   needs a default; writer fields missing in the reader are ignored;
//! - enums: every writer symbol must be a reader symbol, unless the reader has an enum default;
//! - fixed: the same size;
//! - arrays: items resolve; maps: values resolve;
//! - a writer union: every branch must be readable by the reader; a reader union (writer not a
//!   union): some branch must read the writer's schema.
//!
//! Logical types are not compared (Java's `SchemaCompatibility` compares underlying types only).
//! Recursive types are assumed compatible where the check comes back to a pair already being
//! checked, as Java's memo does.

use std::fmt;

use crate::schema::{NamedKind, NamedType, Node, Schema, Underlying};

/// Java's `SchemaCompatibility.SchemaIncompatibilityType`: the rule that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncompatibilityType {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl IncompatibilityType {
    /// The Java enum constant's name, as the registry reports it (`errorType`).
    pub fn name(self) -> &'static str {
        match self {
            IncompatibilityType::NameMismatch => "NAME_MISMATCH",
            IncompatibilityType::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            IncompatibilityType::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            IncompatibilityType::ReaderFieldMissingDefaultValue => {
                "READER_FIELD_MISSING_DEFAULT_VALUE"
            }
            IncompatibilityType::TypeMismatch => "TYPE_MISMATCH",
            IncompatibilityType::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

/// Why a reader cannot read a writer's data: the first rule broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatibility {
    pub kind: IncompatibilityType,
    /// Where, in field names: `currency`, `items[]`, `customer.address`; empty for the root.
    pub path: String,
    /// The reason in words, e.g. "field 'currency' has no default in the reader and is missing
    /// in the writer".
    pub message: String,
}

impl fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path)?;
        }
        Ok(())
    }
}

/// Checks that `reader` can read every datum written with `writer`.
pub fn can_read(reader: &Schema, writer: &Schema) -> Result<(), Incompatibility> {
    let mut c = Checker {
        reader,
        writer,
        in_progress: Vec::new(),
        path: String::new(),
    };
    c.check(&reader.root, &writer.root)
}

struct Checker<'a> {
    reader: &'a Schema,
    writer: &'a Schema,
    /// (reader named id, writer named id) pairs being checked: a recursive type meets itself.
    in_progress: Vec<(usize, usize)>,
    path: String,
}

fn promotes(writer: Underlying, reader: Underlying) -> bool {
    use Underlying::*;
    matches!(
        (writer, reader),
        (Int, Long | Float | Double)
            | (Long, Float | Double)
            | (Float, Double)
            | (String, Bytes)
            | (Bytes, String)
    )
}

impl<'a> Checker<'a> {
    fn fail(&self, kind: IncompatibilityType, message: String) -> Result<(), Incompatibility> {
        Err(Incompatibility {
            kind,
            path: self.path.clone(),
            message,
        })
    }

    fn names_match(r: &NamedType, w: &NamedType) -> bool {
        r.name.unqualified() == w.name.unqualified() || r.aliases.iter().any(|a| a.0 == w.name.0)
    }

    fn check(&mut self, r: &'a Node, w: &'a Node) -> Result<(), Incompatibility> {
        let (rs, ws) = (self.reader, self.writer);
        // A writer union: every branch it may have written must be readable.
        if let Node::Union(wb) = w {
            for b in wb {
                self.check(r, b)?;
            }
            return Ok(());
        }
        if let Node::Union(rb) = r {
            let path_len = self.path.len();
            for b in rb {
                if self.check(b, w).is_ok() {
                    return Ok(());
                }
                self.path.truncate(path_len);
            }
            return self.fail(
                IncompatibilityType::MissingUnionBranch,
                format!(
                    "the reader's union {} has no branch that reads the writer's {}",
                    rs.describe(r),
                    ws.describe(w)
                ),
            );
        }
        let (ru, wu) = (rs.underlying(r), ws.underlying(w));
        if ru != wu {
            if promotes(wu, ru) {
                return Ok(());
            }
            return self.fail(
                IncompatibilityType::TypeMismatch,
                format!(
                    "the reader's {} cannot read the writer's {}",
                    rs.describe(r),
                    ws.describe(w)
                ),
            );
        }
        match (r, w) {
            (Node::Array(ri), Node::Array(wi)) => {
                let len = self.path.len();
                self.path.push_str("[]");
                self.check(ri, wi)?;
                self.path.truncate(len);
                Ok(())
            }
            (Node::Map(rv), Node::Map(wv)) => {
                let len = self.path.len();
                self.path.push_str("{}");
                self.check(rv, wv)?;
                self.path.truncate(len);
                Ok(())
            }
            (Node::Named(ri), Node::Named(wi)) => self.named(*ri, *wi),
            _ => Ok(()), // the same primitive type
        }
    }

    fn named(&mut self, ri: usize, wi: usize) -> Result<(), Incompatibility> {
        let (rn, wn) = (self.reader.named(ri), self.writer.named(wi));
        if !Self::names_match(rn, wn) {
            return self.fail(
                IncompatibilityType::NameMismatch,
                format!(
                    "the reader's {} '{}' does not match the writer's '{}' (names differ and no reader alias names it)",
                    self.reader.underlying(&Node::Named(ri)).name(),
                    rn.name,
                    wn.name
                ),
            );
        }
        if self.in_progress.contains(&(ri, wi)) {
            return Ok(());
        }
        match (&rn.kind, &wn.kind) {
            (
                NamedKind::Fixed {
                    size_bytes: rsz, ..
                },
                NamedKind::Fixed {
                    size_bytes: wsz, ..
                },
            ) => {
                if rsz != wsz {
                    return self.fail(
                        IncompatibilityType::FixedSizeMismatch,
                        format!(
                            "fixed '{}' is {rsz} bytes in the reader and {wsz} in the writer",
                            rn.name
                        ),
                    );
                }
                Ok(())
            }
            (
                NamedKind::Enum {
                    symbols: rsym,
                    default,
                },
                NamedKind::Enum { symbols: wsym, .. },
            ) => {
                if default.is_some() {
                    return Ok(());
                }
                let missing: Vec<&String> = wsym.iter().filter(|s| !rsym.contains(s)).collect();
                if missing.is_empty() {
                    return Ok(());
                }
                let list: Vec<String> = missing.iter().map(|s| format!("'{s}'")).collect();
                self.fail(
                    IncompatibilityType::MissingEnumSymbols,
                    format!(
                        "enum '{}': the writer's symbol(s) {} are not in the reader, which has no enum default",
                        rn.name,
                        list.join(", ")
                    ),
                )
            }
            (NamedKind::Record { fields: rf }, NamedKind::Record { fields: wf }) => {
                self.in_progress.push((ri, wi));
                for f in rf {
                    let wfield = wf.iter().find(|x| x.name == f.name).or_else(|| {
                        f.aliases
                            .iter()
                            .find_map(|a| wf.iter().find(|x| &x.name == a))
                    });
                    let len = self.path.len();
                    if !self.path.is_empty() {
                        self.path.push('.');
                    }
                    self.path.push_str(&f.name);
                    match wfield {
                        Some(wfield) => self.check(&f.schema, &wfield.schema)?,
                        None if f.default.is_some() => {}
                        None => {
                            return self.fail(
                                IncompatibilityType::ReaderFieldMissingDefaultValue,
                                format!(
                                    "field '{}' has no default in the reader and is missing in the writer",
                                    f.name
                                ),
                            )
                        }
                    }
                    self.path.truncate(len);
                }
                self.in_progress.pop();
                Ok(())
            }
            _ => unreachable!("underlying types were compared first"),
        }
    }
}

/// A subject's compatibility level (`io.confluent.kafka.schemaregistry.CompatibilityLevel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompatibilityLevel {
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

impl CompatibilityLevel {
    pub const ALL: [CompatibilityLevel; 7] = [
        CompatibilityLevel::None,
        CompatibilityLevel::Backward,
        CompatibilityLevel::BackwardTransitive,
        CompatibilityLevel::Forward,
        CompatibilityLevel::ForwardTransitive,
        CompatibilityLevel::Full,
        CompatibilityLevel::FullTransitive,
    ];

    /// The registry's name (`BACKWARD_TRANSITIVE`…).
    pub fn name(self) -> &'static str {
        match self {
            CompatibilityLevel::None => "NONE",
            CompatibilityLevel::Backward => "BACKWARD",
            CompatibilityLevel::BackwardTransitive => "BACKWARD_TRANSITIVE",
            CompatibilityLevel::Forward => "FORWARD",
            CompatibilityLevel::ForwardTransitive => "FORWARD_TRANSITIVE",
            CompatibilityLevel::Full => "FULL",
            CompatibilityLevel::FullTransitive => "FULL_TRANSITIVE",
        }
    }

    pub fn parse(name: &str) -> Option<CompatibilityLevel> {
        Self::ALL.into_iter().find(|l| l.name() == name)
    }

    fn transitive(self) -> bool {
        matches!(
            self,
            CompatibilityLevel::BackwardTransitive
                | CompatibilityLevel::ForwardTransitive
                | CompatibilityLevel::FullTransitive
        )
    }

    /// (new reads old, old reads new)
    fn directions(self) -> (bool, bool) {
        match self {
            CompatibilityLevel::None => (false, false),
            CompatibilityLevel::Backward | CompatibilityLevel::BackwardTransitive => (true, false),
            CompatibilityLevel::Forward | CompatibilityLevel::ForwardTransitive => (false, true),
            CompatibilityLevel::Full | CompatibilityLevel::FullTransitive => (true, true),
        }
    }
}

/// Which way a failed check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// BACKWARD: the new schema reading data written with an earlier one.
    NewReadsOld,
    /// FORWARD: an earlier schema reading data written with the new one.
    OldReadsNew,
}

/// A new schema rejected at a level: against which earlier version (0 = the oldest given),
/// which way, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelIncompatibility {
    pub level: CompatibilityLevel,
    pub earlier_index: usize,
    pub direction: Direction,
    pub reason: Incompatibility,
}

impl fmt::Display for LevelIncompatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let way = match self.direction {
            Direction::NewReadsOld => "the new schema cannot read data written with",
            Direction::OldReadsNew => "data written with the new schema cannot be read by",
        };
        write!(
            f,
            "incompatible under {}: {way} earlier schema #{}: {}",
            self.level.name(),
            self.earlier_index + 1,
            self.reason
        )
    }
}

/// Checks `new` against the `earlier` schemas of a subject (oldest first) at `level`:
/// BACKWARD — `new` reads the latest; FORWARD — the latest reads `new`; FULL — both; NONE —
/// nothing; the `_TRANSITIVE` levels check against every earlier schema, newest first, as the
/// registry's `CompatibilityChecker` does (Confluent docs: "transitive … checks compatibility of
/// a new schema against all previously registered schemas").
pub fn check_level(
    level: CompatibilityLevel,
    new: &Schema,
    earlier: &[Schema],
) -> Result<(), LevelIncompatibility> {
    let (backward, forward) = level.directions();
    let from = if level.transitive() {
        0
    } else {
        earlier.len().saturating_sub(1)
    };
    for index in (from..earlier.len()).rev() {
        let old = &earlier[index];
        if backward {
            if let Err(reason) = can_read(new, old) {
                return Err(LevelIncompatibility {
                    level,
                    earlier_index: index,
                    direction: Direction::NewReadsOld,
                    reason,
                });
            }
        }
        if forward {
            if let Err(reason) = can_read(old, new) {
                return Err(LevelIncompatibility {
                    level,
                    earlier_index: index,
                    direction: Direction::OldReadsNew,
                    reason,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Schema {
        Schema::parse(t).unwrap()
    }

    #[test]
    fn transitive_levels_reach_past_the_latest() {
        // `a` widens int → long → float over three versions.
        let v1 = s(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#);
        let v2 = s(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#);
        let v3 = s(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"float"}]}"#);
        // FORWARD checks only the latest: v2 (long) reads v3b (long); FORWARD_TRANSITIVE also
        // asks v1 (int) to read a long, which it cannot.
        let v3b = s(r#"{"type":"record","name":"R","fields":[{"name":"a","type":"long"}]}"#);
        assert!(check_level(CompatibilityLevel::Forward, &v3b, &[v1.clone(), v2.clone()]).is_ok());
        let e = check_level(
            CompatibilityLevel::ForwardTransitive,
            &v3b,
            &[v1.clone(), v2.clone()],
        )
        .unwrap_err();
        assert_eq!(e.earlier_index, 0);
        assert_eq!(e.reason.kind, IncompatibilityType::TypeMismatch);
        assert_eq!(e.reason.path, "a");
        assert!(check_level(CompatibilityLevel::Backward, &v3, &[v1.clone(), v2.clone()]).is_ok());
        assert!(check_level(CompatibilityLevel::None, &v1, &[v3]).is_ok());
    }

    #[test]
    fn recursive_records_terminate() {
        let a = s(r#"{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}"#);
        assert!(can_read(&a, &a).is_ok());
    }
}
