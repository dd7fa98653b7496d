//! Avro schemas parsed from their JSON text (Avro specification 1.11, "Schema Declaration",
//! "Names", "Aliases", "Logical Types").
//!
//! - A schema is a JSON string (a primitive type name or the name of a type defined earlier),
//!   a JSON object (`{"type": …}` with its attributes) or a JSON array (a union).
//! - Records, enums and fixed are **named types**: a name, an optional namespace (from the
//!   `namespace` attribute, a dotted name, or the most tightly enclosing named type), aliases.
//!   A name may be used only after its definition starts (so a record may refer to itself).
//! - Unions may not hold two branches of the same type (named types count by full name) nor a
//!   union directly.
//! - A field default is validated against the field's type; for a union, against its first
//!   branch ("Schema Declaration" → Unions: "the default value … must correspond to the first
//!   schema in the union").
//! - A logical type on the wrong underlying type, or a decimal with an invalid precision or
//!   scale, is ignored and the underlying type is used ("Logical Types": "implementations should
//!   ignore the logical type").
//!
//! Bounded before anything is built: schema text ≤ [`MAX_SCHEMA_TEXT_BYTES`], nesting ≤
//! [`MAX_SCHEMA_DEPTH`], at most [`MAX_NAMED_TYPES`] named types and [`MAX_FIELDS`] fields.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value as Json};

/// Largest schema text accepted (64 KiB).
pub const MAX_SCHEMA_TEXT_BYTES: usize = 64 * 1024;
/// Deepest nesting of schemas inside schemas (records, arrays, maps, unions) accepted.
pub const MAX_SCHEMA_DEPTH: usize = 32;
/// Most named types (records, enums, fixed) one schema may define.
pub const MAX_NAMED_TYPES: usize = 1024;
/// Most record fields one schema may define, over all its records.
pub const MAX_FIELDS: usize = 1024;

/// Index of a named type in [`Schema::named`].
pub type NamedId = usize;

/// One node of a schema. Logical types are their own variants; each is written and read as
/// its underlying type ([`Schema::underlying`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    /// `int` with logicalType `date`: days since 1970-01-01.
    Date,
    /// `int` with logicalType `time-millis`: milliseconds after midnight.
    TimeMillis,
    /// `long` with logicalType `time-micros`.
    TimeMicros,
    /// `long` with logicalType `timestamp-millis`: milliseconds since the Unix epoch, UTC.
    TimestampMillis,
    /// `long` with logicalType `timestamp-micros`.
    TimestampMicros,
    /// `long` with logicalType `local-timestamp-millis`.
    LocalTimestampMillis,
    /// `long` with logicalType `local-timestamp-micros`.
    LocalTimestampMicros,
    /// `string` with logicalType `uuid`.
    Uuid,
    /// `bytes` with logicalType `decimal`: two's-complement big-endian unscaled value.
    DecimalBytes(Decimal),
    Array(Box<Node>),
    Map(Box<Node>),
    Union(Vec<Node>),
    /// A record, enum or fixed, by its index in [`Schema::named`].
    Named(NamedId),
}

/// The primitive or complex type a node is encoded as, with logical types dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Underlying {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Array,
    Map,
    Union,
    Record,
    Enum,
    Fixed,
}

impl Underlying {
    /// The type's name as the specification spells it.
    pub fn name(self) -> &'static str {
        match self {
            Underlying::Null => "null",
            Underlying::Boolean => "boolean",
            Underlying::Int => "int",
            Underlying::Long => "long",
            Underlying::Float => "float",
            Underlying::Double => "double",
            Underlying::Bytes => "bytes",
            Underlying::String => "string",
            Underlying::Array => "array",
            Underlying::Map => "map",
            Underlying::Union => "union",
            Underlying::Record => "record",
            Underlying::Enum => "enum",
            Underlying::Fixed => "fixed",
        }
    }
}

/// Precision and scale of a `decimal` ("Logical Types" → Decimal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    pub precision: u32,
    pub scale: u32,
}

/// A fully qualified name: `namespace.name`, or `name` in the null namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FullName(pub String);

impl FullName {
    /// The part after the last dot.
    pub fn unqualified(&self) -> &str {
        self.0.rsplit('.').next().unwrap_or(&self.0)
    }
    /// The part before the last dot (empty in the null namespace).
    pub fn namespace(&self) -> &str {
        self.0.rsplit_once('.').map(|(ns, _)| ns).unwrap_or("")
    }
}

impl fmt::Display for FullName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A record, enum or fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedType {
    pub name: FullName,
    /// Aliases, resolved to full names against this type's namespace.
    pub aliases: Vec<FullName>,
    pub kind: NamedKind,
}

/// What a named type is.
#[derive(Debug, Clone, PartialEq)]
pub enum NamedKind {
    Record {
        fields: Vec<Field>,
    },
    Enum {
        symbols: Vec<String>,
        /// The symbol a reader uses for a writer's symbol it does not know ("Schema
        /// Resolution": enums).
        default: Option<String>,
    },
    Fixed {
        size_bytes: usize,
        /// `fixed` with logicalType `decimal`.
        decimal: Option<Decimal>,
    },
}

/// A record field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub aliases: Vec<String>,
    pub schema: Node,
    /// The default in the Avro JSON encoding (already validated against `schema`).
    pub default: Option<Json>,
}

/// A parsed schema: its root node and the named types it defines, in definition order.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    pub root: Node,
    pub named: Vec<NamedType>,
}

/// Why a schema text was rejected: where (a path of record, field and type names) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// E.g. `Payment.currency` or `Payment.items[]`; empty for the schema's root.
    pub path: String,
    pub kind: SchemaErrorKind,
}

/// The rule a schema broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaErrorKind {
    TextTooLarge {
        size_bytes: usize,
        max_bytes: usize,
    },
    TooDeep {
        max_depth: usize,
    },
    TooManyNamedTypes {
        max: usize,
    },
    TooManyFields {
        max: usize,
    },
    /// The text is not JSON.
    NotJson(String),
    /// A string that is neither a primitive type nor a name defined before.
    UnknownType(String),
    /// A JSON value that cannot be a schema (a number, `true`, an object without `type`).
    NotASchema(String),
    MissingAttribute(&'static str),
    /// An attribute of the wrong JSON type or value.
    BadAttribute {
        attribute: &'static str,
        reason: String,
    },
    InvalidName(String),
    DuplicateName(String),
    DuplicateField(String),
    DuplicateSymbol(String),
    /// Two branches of one type, or a union directly in a union.
    BadUnion(String),
    /// A field default (or enum default) that does not match its type.
    BadDefault(String),
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid Avro schema")?;
        if !self.path.is_empty() {
            write!(f, " at {}", self.path)?;
        }
        f.write_str(": ")?;
        match &self.kind {
            SchemaErrorKind::TextTooLarge {
                size_bytes,
                max_bytes,
            } => write!(
                f,
                "schema text is {size_bytes} bytes, more than the {max_bytes} accepted"
            ),
            SchemaErrorKind::TooDeep { max_depth } => {
                write!(f, "schemas nest deeper than {max_depth} levels")
            }
            SchemaErrorKind::TooManyNamedTypes { max } => {
                write!(f, "more than {max} named types")
            }
            SchemaErrorKind::TooManyFields { max } => write!(f, "more than {max} fields"),
            SchemaErrorKind::NotJson(e) => write!(f, "not JSON: {e}"),
            SchemaErrorKind::UnknownType(t) => write!(
                f,
                "unknown type '{t}' (not a primitive type nor a name defined before this point)"
            ),
            SchemaErrorKind::NotASchema(what) => write!(f, "{what} is not a schema"),
            SchemaErrorKind::MissingAttribute(a) => write!(f, "missing attribute '{a}'"),
            SchemaErrorKind::BadAttribute { attribute, reason } => {
                write!(f, "attribute '{attribute}' {reason}")
            }
            SchemaErrorKind::InvalidName(n) => write!(
                f,
                "invalid name '{n}' (names start with [A-Za-z_] and continue with [A-Za-z0-9_])"
            ),
            SchemaErrorKind::DuplicateName(n) => write!(f, "the name '{n}' is defined twice"),
            SchemaErrorKind::DuplicateField(n) => write!(f, "the field '{n}' is defined twice"),
            SchemaErrorKind::DuplicateSymbol(s) => {
                write!(f, "the enum symbol '{s}' appears twice")
            }
            SchemaErrorKind::BadUnion(why) => write!(f, "invalid union: {why}"),
            SchemaErrorKind::BadDefault(why) => write!(f, "invalid default: {why}"),
        }
    }
}

impl std::error::Error for SchemaError {}

impl Schema {
    /// Parses and validates schema text.
    pub fn parse(text: &str) -> Result<Schema, SchemaError> {
        let at_root = |kind| SchemaError {
            path: String::new(),
            kind,
        };
        if text.len() > MAX_SCHEMA_TEXT_BYTES {
            return Err(at_root(SchemaErrorKind::TextTooLarge {
                size_bytes: text.len(),
                max_bytes: MAX_SCHEMA_TEXT_BYTES,
            }));
        }
        // serde_json's own recursion limit (128) is above ours; ours is checked while walking.
        let json: Json = serde_json::from_str(text)
            .map_err(|e| at_root(SchemaErrorKind::NotJson(e.to_string())))?;
        let mut parser = Parser {
            named: Vec::new(),
            by_name: BTreeMap::new(),
            field_count: 0,
        };
        let root = parser.node(&json, "", "", 0)?;
        Ok(Schema {
            root,
            named: parser.named,
        })
    }

    /// The named type a [`Node::Named`] refers to.
    pub fn named(&self, id: NamedId) -> &NamedType {
        &self.named[id]
    }

    /// Looks a named type up by full name.
    pub fn find(&self, full_name: &str) -> Option<NamedId> {
        self.named.iter().position(|n| n.name.0 == full_name)
    }

    /// The type `node` is encoded as.
    pub fn underlying(&self, node: &Node) -> Underlying {
        underlying_in(&self.named, node)
    }

    /// The name that identifies `node` as a union branch: the full name of a named type, else
    /// the type's name (logical types count as their underlying type). It is also the key of a
    /// union value in the JSON encoding ("JSON Encoding").
    pub fn branch_name(&self, node: &Node) -> String {
        branch_name_in(&self.named, node)
    }

    /// A short description of `node` for messages: `"long"`, `"timestamp-millis"`,
    /// `record Payment`, `["null", "string"]`.
    pub fn describe(&self, node: &Node) -> String {
        match node {
            Node::Date => "int (date)".into(),
            Node::TimeMillis => "int (time-millis)".into(),
            Node::TimeMicros => "long (time-micros)".into(),
            Node::TimestampMillis => "long (timestamp-millis)".into(),
            Node::TimestampMicros => "long (timestamp-micros)".into(),
            Node::LocalTimestampMillis => "long (local-timestamp-millis)".into(),
            Node::LocalTimestampMicros => "long (local-timestamp-micros)".into(),
            Node::Uuid => "string (uuid)".into(),
            Node::DecimalBytes(d) => format!("bytes (decimal({}, {}))", d.precision, d.scale),
            Node::Array(items) => format!("array of {}", self.describe(items)),
            Node::Map(values) => format!("map of {}", self.describe(values)),
            Node::Union(branches) => {
                let names: Vec<String> = branches
                    .iter()
                    .map(|b| format!("\"{}\"", self.branch_name(b)))
                    .collect();
                format!("[{}]", names.join(", "))
            }
            Node::Named(id) => {
                let n = &self.named[*id];
                format!("{} {}", self.underlying(node).name(), n.name)
            }
            other => self.underlying(other).name().to_string(),
        }
    }
}

/// [`Schema::underlying`] over a list of named types (also used while they are being parsed).
fn underlying_in(named: &[NamedType], node: &Node) -> Underlying {
    match node {
        Node::Null => Underlying::Null,
        Node::Boolean => Underlying::Boolean,
        Node::Int | Node::Date | Node::TimeMillis => Underlying::Int,
        Node::Long
        | Node::TimeMicros
        | Node::TimestampMillis
        | Node::TimestampMicros
        | Node::LocalTimestampMillis
        | Node::LocalTimestampMicros => Underlying::Long,
        Node::Float => Underlying::Float,
        Node::Double => Underlying::Double,
        Node::Bytes | Node::DecimalBytes(_) => Underlying::Bytes,
        Node::String | Node::Uuid => Underlying::String,
        Node::Array(_) => Underlying::Array,
        Node::Map(_) => Underlying::Map,
        Node::Union(_) => Underlying::Union,
        Node::Named(id) => match named[*id].kind {
            NamedKind::Record { .. } => Underlying::Record,
            NamedKind::Enum { .. } => Underlying::Enum,
            NamedKind::Fixed { .. } => Underlying::Fixed,
        },
    }
}

fn branch_name_in(named: &[NamedType], node: &Node) -> String {
    match node {
        Node::Named(id) => named[*id].name.0.clone(),
        other => underlying_in(named, other).name().to_string(),
    }
}

struct Parser {
    named: Vec<NamedType>,
    by_name: BTreeMap<String, NamedId>,
    field_count: usize,
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

fn primitive(name: &str) -> Option<Node> {
    Some(match name {
        "null" => Node::Null,
        "boolean" => Node::Boolean,
        "int" => Node::Int,
        "long" => Node::Long,
        "float" => Node::Float,
        "double" => Node::Double,
        "bytes" => Node::Bytes,
        "string" => Node::String,
        _ => return None,
    })
}

/// "Names": each dot-separated part matches `[A-Za-z_][A-Za-z0-9_]*`.
fn valid_name_part(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_full_name(s: &str) -> bool {
    s.split('.').all(valid_name_part)
}

fn qualify(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}.{name}")
    }
}

fn join(path: &str, part: &str) -> String {
    if path.is_empty() {
        part.to_string()
    } else {
        format!("{path}.{part}")
    }
}

impl Parser {
    fn err(path: &str, kind: SchemaErrorKind) -> SchemaError {
        SchemaError {
            path: path.to_string(),
            kind,
        }
    }

    /// Parses one schema. `namespace` is the enclosing namespace, `path` where we are.
    fn node(
        &mut self,
        json: &Json,
        namespace: &str,
        path: &str,
        depth: usize,
    ) -> Result<Node, SchemaError> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(Self::err(
                path,
                SchemaErrorKind::TooDeep {
                    max_depth: MAX_SCHEMA_DEPTH,
                },
            ));
        }
        match json {
            Json::String(name) => self.reference(name, namespace, path),
            Json::Array(branches) => self.union(branches, namespace, path, depth),
            Json::Object(obj) => self.object(obj, namespace, path, depth),
            other => Err(Self::err(
                path,
                SchemaErrorKind::NotASchema(format!("the JSON value {other}")),
            )),
        }
    }

    fn reference(&self, name: &str, namespace: &str, path: &str) -> Result<Node, SchemaError> {
        if let Some(p) = primitive(name) {
            return Ok(p);
        }
        // "Names": an unqualified reference is looked up in the enclosing namespace first,
        // then in the null namespace (as Java's Schema.Names does).
        let qualified = qualify(name, namespace);
        self.by_name
            .get(&qualified)
            .or_else(|| self.by_name.get(name))
            .map(|&id| Node::Named(id))
            .ok_or_else(|| Self::err(path, SchemaErrorKind::UnknownType(name.to_string())))
    }

    fn union(
        &mut self,
        branches: &[Json],
        namespace: &str,
        path: &str,
        depth: usize,
    ) -> Result<Node, SchemaError> {
        let mut nodes: Vec<Node> = Vec::with_capacity(branches.len());
        let mut seen: Vec<String> = Vec::new();
        for (i, b) in branches.iter().enumerate() {
            let node = self.node(b, namespace, &format!("{path}[{i}]"), depth + 1)?;
            if matches!(node, Node::Union(_)) {
                return Err(Self::err(
                    path,
                    SchemaErrorKind::BadUnion("a union may not directly contain a union".into()),
                ));
            }
            let key = self.branch_name(&node);
            if seen.contains(&key) {
                return Err(Self::err(
                    path,
                    SchemaErrorKind::BadUnion(format!("the type '{key}' appears twice")),
                ));
            }
            seen.push(key);
            nodes.push(node);
        }
        Ok(Node::Union(nodes))
    }

    fn branch_name(&self, node: &Node) -> String {
        branch_name_in(&self.named, node)
    }

    fn object(
        &mut self,
        obj: &Map<String, Json>,
        namespace: &str,
        path: &str,
        depth: usize,
    ) -> Result<Node, SchemaError> {
        let Some(ty) = obj.get("type") else {
            return Err(Self::err(path, SchemaErrorKind::MissingAttribute("type")));
        };
        let ty = match ty {
            Json::String(s) => s.as_str(),
            // `{"type": {...}}` and `{"type": [...]}`: the value is itself a schema.
            other => return self.node(other, namespace, path, depth + 1),
        };
        match ty {
            "record" | "error" | "enum" | "fixed" => {
                self.named_type(ty, obj, namespace, path, depth)
            }
            "array" => {
                let items = obj
                    .get("items")
                    .ok_or_else(|| Self::err(path, SchemaErrorKind::MissingAttribute("items")))?;
                let items = self.node(items, namespace, &format!("{path}[]"), depth + 1)?;
                Ok(Node::Array(Box::new(items)))
            }
            "map" => {
                let values = obj
                    .get("values")
                    .ok_or_else(|| Self::err(path, SchemaErrorKind::MissingAttribute("values")))?;
                let values = self.node(values, namespace, &format!("{path}{{}}"), depth + 1)?;
                Ok(Node::Map(Box::new(values)))
            }
            name => {
                let base = self.reference(name, namespace, path)?;
                Ok(logical(base, obj))
            }
        }
    }

    fn named_type(
        &mut self,
        ty: &str,
        obj: &Map<String, Json>,
        enclosing_ns: &str,
        path: &str,
        depth: usize,
    ) -> Result<Node, SchemaError> {
        let name = match obj.get("name") {
            Some(Json::String(n)) => n.as_str(),
            Some(_) => {
                return Err(Self::err(
                    path,
                    SchemaErrorKind::BadAttribute {
                        attribute: "name",
                        reason: "must be a string".into(),
                    },
                ))
            }
            None => return Err(Self::err(path, SchemaErrorKind::MissingAttribute("name"))),
        };
        let namespace = match obj.get("namespace") {
            _ if name.contains('.') => name.rsplit_once('.').map(|(ns, _)| ns).unwrap_or(""),
            Some(Json::String(ns)) => ns.as_str(),
            Some(Json::Null) | None => enclosing_ns,
            Some(_) => {
                return Err(Self::err(
                    path,
                    SchemaErrorKind::BadAttribute {
                        attribute: "namespace",
                        reason: "must be a string".into(),
                    },
                ))
            }
        };
        let full = qualify(name, namespace);
        let here = if path.is_empty() {
            FullName(full.clone()).unqualified().to_string()
        } else {
            path.to_string()
        };
        if !valid_full_name(&full) {
            return Err(Self::err(&here, SchemaErrorKind::InvalidName(full)));
        }
        if PRIMITIVES.contains(&FullName(full.clone()).unqualified()) {
            return Err(Self::err(&here, SchemaErrorKind::InvalidName(full)));
        }
        if self.by_name.contains_key(&full) {
            return Err(Self::err(&here, SchemaErrorKind::DuplicateName(full)));
        }
        if self.named.len() >= MAX_NAMED_TYPES {
            return Err(Self::err(
                &here,
                SchemaErrorKind::TooManyNamedTypes {
                    max: MAX_NAMED_TYPES,
                },
            ));
        }
        let aliases = string_list(obj, "aliases", &here)?
            .into_iter()
            .map(|a| {
                let q = qualify(&a, namespace);
                if valid_full_name(&q) {
                    Ok(FullName(q))
                } else {
                    Err(Self::err(&here, SchemaErrorKind::InvalidName(a)))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Registered before the fields are parsed, so a record can refer to itself.
        let id = self.named.len();
        let placeholder = NamedKind::Record { fields: Vec::new() };
        self.named.push(NamedType {
            name: FullName(full.clone()),
            aliases,
            kind: placeholder,
        });
        self.by_name.insert(full.clone(), id);
        let kind = match ty {
            "enum" => enum_kind(obj, &here)?,
            "fixed" => fixed_kind(obj, &here)?,
            _ => self.record_kind(obj, namespace, &here, depth)?,
        };
        self.named[id].kind = kind;
        Ok(Node::Named(id))
    }

    fn record_kind(
        &mut self,
        obj: &Map<String, Json>,
        namespace: &str,
        path: &str,
        depth: usize,
    ) -> Result<NamedKind, SchemaError> {
        let fields_json = match obj.get("fields") {
            Some(Json::Array(f)) => f,
            Some(_) => {
                return Err(Self::err(
                    path,
                    SchemaErrorKind::BadAttribute {
                        attribute: "fields",
                        reason: "must be an array".into(),
                    },
                ))
            }
            None => return Err(Self::err(path, SchemaErrorKind::MissingAttribute("fields"))),
        };
        let mut fields: Vec<Field> = Vec::with_capacity(fields_json.len().min(MAX_FIELDS));
        for (i, f) in fields_json.iter().enumerate() {
            self.field_count += 1;
            if self.field_count > MAX_FIELDS {
                return Err(Self::err(
                    path,
                    SchemaErrorKind::TooManyFields { max: MAX_FIELDS },
                ));
            }
            let Json::Object(f) = f else {
                return Err(Self::err(
                    &format!("{path}.fields[{i}]"),
                    SchemaErrorKind::NotASchema("a field that is not a JSON object".into()),
                ));
            };
            let name = match f.get("name") {
                Some(Json::String(n)) => n.clone(),
                _ => {
                    return Err(Self::err(
                        &format!("{path}.fields[{i}]"),
                        SchemaErrorKind::MissingAttribute("name"),
                    ))
                }
            };
            let fpath = join(path, &name);
            if !valid_name_part(&name) {
                return Err(Self::err(&fpath, SchemaErrorKind::InvalidName(name)));
            }
            if fields.iter().any(|x| x.name == name) {
                return Err(Self::err(path, SchemaErrorKind::DuplicateField(name)));
            }
            let ty = f
                .get("type")
                .ok_or_else(|| Self::err(&fpath, SchemaErrorKind::MissingAttribute("type")))?;
            let schema = self.node(ty, namespace, &fpath, depth + 1)?;
            let aliases = string_list(f, "aliases", &fpath)?;
            let default = match f.get("default") {
                None => None,
                Some(d) => {
                    let first = match &schema {
                        Node::Union(b) => b.first().unwrap_or(&Node::Null),
                        other => other,
                    };
                    check_default(self, first, d, 0)
                        .map_err(|why| Self::err(&fpath, SchemaErrorKind::BadDefault(why)))?;
                    Some(d.clone())
                }
            };
            fields.push(Field {
                name,
                aliases,
                schema,
                default,
            });
        }
        Ok(NamedKind::Record { fields })
    }
}

fn string_list(
    obj: &Map<String, Json>,
    attribute: &'static str,
    path: &str,
) -> Result<Vec<String>, SchemaError> {
    match obj.get(attribute) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|a| match a {
                Json::String(s) => Ok(s.clone()),
                _ => Err(Parser::err(
                    path,
                    SchemaErrorKind::BadAttribute {
                        attribute,
                        reason: "must hold only strings".into(),
                    },
                )),
            })
            .collect(),
        Some(_) => Err(Parser::err(
            path,
            SchemaErrorKind::BadAttribute {
                attribute,
                reason: "must be an array of strings".into(),
            },
        )),
    }
}

fn enum_kind(obj: &Map<String, Json>, path: &str) -> Result<NamedKind, SchemaError> {
    if !matches!(obj.get("symbols"), Some(Json::Array(_))) {
        return Err(Parser::err(
            path,
            SchemaErrorKind::MissingAttribute("symbols"),
        ));
    }
    let symbols = string_list(obj, "symbols", path)?;
    for (i, s) in symbols.iter().enumerate() {
        if !valid_name_part(s) {
            return Err(Parser::err(path, SchemaErrorKind::InvalidName(s.clone())));
        }
        if symbols[..i].contains(s) {
            return Err(Parser::err(
                path,
                SchemaErrorKind::DuplicateSymbol(s.clone()),
            ));
        }
    }
    let default = match obj.get("default") {
        None | Some(Json::Null) => None,
        Some(Json::String(d)) if symbols.contains(d) => Some(d.clone()),
        Some(other) => {
            return Err(Parser::err(
                path,
                SchemaErrorKind::BadDefault(format!(
                    "the enum default {other} is not one of its symbols"
                )),
            ))
        }
    };
    Ok(NamedKind::Enum { symbols, default })
}

fn fixed_kind(obj: &Map<String, Json>, path: &str) -> Result<NamedKind, SchemaError> {
    let size_bytes = match obj.get("size").and_then(Json::as_u64) {
        Some(s) if s <= MAX_SCHEMA_TEXT_BYTES as u64 * 16 => s as usize,
        _ => {
            return Err(Parser::err(
                path,
                SchemaErrorKind::BadAttribute {
                    attribute: "size",
                    reason: "must be a non-negative integer (at most 1 MiB here)".into(),
                },
            ))
        }
    };
    let decimal = match obj.get("logicalType").and_then(Json::as_str) {
        Some("decimal") => decimal_attrs(obj).filter(|d| {
            // "Logical Types" → Decimal: precision ≤ floor(log10(2^(8·size − 1) − 1)).
            size_bytes > 0
                && (d.precision as f64) <= ((8 * size_bytes - 1) as f64 * 2f64.log10()).floor()
        }),
        _ => None,
    };
    Ok(NamedKind::Fixed {
        size_bytes,
        decimal,
    })
}

/// `precision` > 0 and 0 ≤ `scale` ≤ `precision`, else the logical type is ignored.
fn decimal_attrs(obj: &Map<String, Json>) -> Option<Decimal> {
    let precision = obj.get("precision")?.as_u64()?;
    let scale = match obj.get("scale") {
        None => 0,
        Some(s) => s.as_u64()?,
    };
    (precision > 0 && precision <= u32::MAX as u64 && scale <= precision).then_some(Decimal {
        precision: precision as u32,
        scale: scale as u32,
    })
}

/// Applies a `logicalType` attribute to a primitive; unknown or misplaced ones are ignored.
fn logical(base: Node, obj: &Map<String, Json>) -> Node {
    let Some(lt) = obj.get("logicalType").and_then(Json::as_str) else {
        return base;
    };
    match (lt, &base) {
        ("date", Node::Int) => Node::Date,
        ("time-millis", Node::Int) => Node::TimeMillis,
        ("time-micros", Node::Long) => Node::TimeMicros,
        ("timestamp-millis", Node::Long) => Node::TimestampMillis,
        ("timestamp-micros", Node::Long) => Node::TimestampMicros,
        ("local-timestamp-millis", Node::Long) => Node::LocalTimestampMillis,
        ("local-timestamp-micros", Node::Long) => Node::LocalTimestampMicros,
        ("uuid", Node::String) => Node::Uuid,
        ("decimal", Node::Bytes) => decimal_attrs(obj).map(Node::DecimalBytes).unwrap_or(base),
        _ => base,
    }
}

/// Checks a default (Avro JSON encoding, unions as their first branch's value) against `node`.
fn check_default(p: &Parser, node: &Node, d: &Json, depth: usize) -> Result<(), String> {
    if depth > MAX_SCHEMA_DEPTH {
        return Err("the default nests too deep".into());
    }
    let want = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(format!("{d} is not {what}"))
        }
    };
    match node {
        Node::Null => want(d.is_null(), "null"),
        Node::Boolean => want(d.is_boolean(), "a boolean"),
        Node::Int | Node::Date | Node::TimeMillis => want(
            d.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
            "an int",
        ),
        Node::Long
        | Node::TimeMicros
        | Node::TimestampMillis
        | Node::TimestampMicros
        | Node::LocalTimestampMillis
        | Node::LocalTimestampMicros => want(d.is_i64(), "a long"),
        Node::Float | Node::Double => want(d.is_number(), "a number"),
        Node::String | Node::Uuid => want(d.is_string(), "a string"),
        Node::Bytes | Node::DecimalBytes(_) => want(
            d.as_str()
                .is_some_and(|s| s.chars().all(|c| (c as u32) <= 0xff)),
            "a string of code points U+0000–U+00FF (bytes)",
        ),
        Node::Array(items) => match d {
            Json::Array(v) => v
                .iter()
                .try_for_each(|x| check_default(p, items, x, depth + 1)),
            _ => want(false, "an array"),
        },
        Node::Map(values) => match d {
            Json::Object(m) => m
                .values()
                .try_for_each(|x| check_default(p, values, x, depth + 1)),
            _ => want(false, "an object (map)"),
        },
        Node::Union(b) => match b.first() {
            Some(first) => check_default(p, first, d, depth + 1),
            None => want(false, "possible (the union is empty)"),
        },
        Node::Named(id) => match &p.named[*id].kind {
            NamedKind::Enum { symbols, .. } => want(
                d.as_str().is_some_and(|s| symbols.iter().any(|x| x == s)),
                "one of the enum's symbols",
            ),
            NamedKind::Fixed { size_bytes, .. } => want(
                d.as_str().is_some_and(|s| {
                    s.chars().all(|c| (c as u32) <= 0xff) && s.chars().count() == *size_bytes
                }),
                &format!("a string of {size_bytes} code points U+0000–U+00FF (fixed)"),
            ),
            NamedKind::Record { fields } => {
                let Json::Object(m) = d else {
                    return want(false, "an object (record)");
                };
                for f in fields {
                    match m.get(&f.name) {
                        Some(v) => {
                            let first = match &f.schema {
                                Node::Union(b) => b.first().unwrap_or(&Node::Null),
                                other => other,
                            };
                            check_default(p, first, v, depth + 1)
                                .map_err(|e| format!("field '{}': {e}", f.name))?
                        }
                        None if f.default.is_some() => {}
                        None => return Err(format!("{d} has no field '{}'", f.name)),
                    }
                }
                Ok(())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> SchemaErrorKind {
        Schema::parse(text).unwrap_err().kind
    }

    #[test]
    fn named_types_resolve_with_namespaces_and_self_reference() {
        let s = Schema::parse(
            r#"{"type":"record","name":"Node","namespace":"ex","fields":[
                {"name":"value","type":"long"},
                {"name":"next","type":["null","Node"],"default":null},
                {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},
                {"name":"again","type":"ex.Kind","default":"B"}]}"#,
        )
        .unwrap();
        assert_eq!(s.named.len(), 2);
        assert_eq!(s.named[1].name.0, "ex.Kind");
        let NamedKind::Record { fields } = &s.named[0].kind else {
            panic!()
        };
        assert_eq!(
            fields[1].schema,
            Node::Union(vec![Node::Null, Node::Named(0)])
        );
        assert_eq!(fields[3].schema, Node::Named(1));
    }

    #[test]
    fn logical_types_apply_only_to_their_underlying_type() {
        let s = Schema::parse(r#"{"type":"long","logicalType":"timestamp-millis"}"#).unwrap();
        assert_eq!(s.root, Node::TimestampMillis);
        let s = Schema::parse(r#"{"type":"string","logicalType":"date"}"#).unwrap();
        assert_eq!(s.root, Node::String);
        let s =
            Schema::parse(r#"{"type":"bytes","logicalType":"decimal","precision":4,"scale":5}"#)
                .unwrap();
        assert_eq!(s.root, Node::Bytes, "scale > precision: ignored");
        let s = Schema::parse(
            r#"{"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":5}"#,
        )
        .unwrap();
        // 2 bytes hold at most 32767: precision 4, so 5 is ignored.
        assert!(matches!(
            s.named[0].kind,
            NamedKind::Fixed { decimal: None, .. }
        ));
    }

    #[test]
    fn bad_schemas_name_the_field() {
        let e = Schema::parse(
            r#"{"type":"record","name":"Payment","fields":[{"name":"amount","type":"dbl"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "Payment.amount");
        assert_eq!(e.kind, SchemaErrorKind::UnknownType("dbl".into()));
        assert!(e.to_string().contains("Payment.amount"), "{e}");
        let e = Schema::parse(
            r#"{"type":"record","name":"P","fields":[{"name":"n","type":["null","int"],"default":3}]}"#,
        )
        .unwrap_err();
        assert!(matches!(e.kind, SchemaErrorKind::BadDefault(_)), "{e}");
        assert!(matches!(
            kind(r#"["int","int"]"#),
            SchemaErrorKind::BadUnion(_)
        ));
        assert!(matches!(
            kind(r#"["int",["string"]]"#),
            SchemaErrorKind::BadUnion(_)
        ));
        assert!(matches!(
            kind(r#"{"type":"enum","name":"E","symbols":["A","A"]}"#),
            SchemaErrorKind::DuplicateSymbol(_)
        ));
        assert!(matches!(
            kind(r#"{"type":"record","name":"9x","fields":[]}"#),
            SchemaErrorKind::InvalidName(_)
        ));
    }

    #[test]
    fn bounds_are_enforced() {
        let mut deep = String::from("\"int\"");
        for _ in 0..40 {
            deep = format!("{{\"type\":\"array\",\"items\":{deep}}}");
        }
        assert!(matches!(kind(&deep), SchemaErrorKind::TooDeep { .. }));
        let big = format!("\"{}\"", "x".repeat(MAX_SCHEMA_TEXT_BYTES));
        assert!(matches!(kind(&big), SchemaErrorKind::TextTooLarge { .. }));
        let fields: Vec<String> = (0..1100)
            .map(|i| format!(r#"{{"name":"f{i}","type":"int"}}"#))
            .collect();
        let many = format!(
            r#"{{"type":"record","name":"R","fields":[{}]}}"#,
            fields.join(",")
        );
        assert!(matches!(kind(&many), SchemaErrorKind::TooManyFields { .. }));
    }
}
