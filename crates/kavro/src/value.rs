//! Avro values (Avro specification 1.11, "Data Serialization"): one variant per type a datum
//! can have. Logical types are held as their underlying value (a `date` is an [`Value::Int`]
//! of days, a `decimal` the [`Value::Bytes`] or [`Value::Fixed`] of its unscaled value), as they
//! are on the wire; [`crate::logical`] renders them for people.
//!
//! Record fields and map entries keep their order: the binary encoding writes fields in schema
//! order, and maps as written (the specification leaves map order to the writer).

/// One Avro datum.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
    String(String),
    /// Fields in schema order.
    Record(Vec<FieldValue>),
    Enum(EnumSymbol),
    Array(Vec<Value>),
    /// Entries in the order written.
    Map(Vec<MapEntry>),
    /// The chosen branch (its position in the union) and its value.
    Union(Box<UnionValue>),
    Fixed(Vec<u8>),
}

/// A record field's value.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue {
    pub name: String,
    pub value: Value,
}

/// An enum value: the symbol and its position in the schema's `symbols`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumSymbol {
    pub index: u32,
    pub symbol: String,
}

/// A map entry.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub key: String,
    pub value: Value,
}

/// A union value: the branch index as written on the wire, and the value of that branch.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionValue {
    pub branch: u32,
    pub value: Value,
}

impl Value {
    /// The field called `name`, if this is a record that has it.
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Record(fields) => fields.iter().find(|f| f.name == name).map(|f| &f.value),
            _ => None,
        }
    }
}
