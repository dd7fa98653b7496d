//! "Serialize values": which serializer the program applies to a topic's values before
//! `produce()`, as the confluent-kafka examples build them — `StringSerializer('utf_8')`,
//! `json.dumps(value).encode('utf-8')`, or `AvroSerializer(schema_registry_client, schema_str)`
//! called with `SerializationContext(topic, MessageField.VALUE)`. For Avro, a schema editor
//! starts from the serialization lesson's payment schemas (v1, v2 with a field added with a
//! default, v3 with one added without). The core validates the schema and runs the serializer;
//! its errors appear at the form.

use ksim::{SerdeFormat, TopicSerializers};
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SerializerFormProps {
    pub topics: Vec<String>,
    /// The serializers now (`View::serializers`).
    pub current: Vec<TopicSerializers>,
    /// (topic, format, schema text)
    pub on_set: Callback<(String, SerdeFormat, String)>,
    pub error: Option<String>,
}

/// The example schemas: the serialization lesson's, so the page and the lesson agree.
fn examples() -> Vec<ksim::SchemaSpec> {
    kshare::lessons::all()
        .iter()
        .find(|l| l.id == "serialization")
        .and_then(|l| ksim::Scenario::from_json(l.scenario_json).ok())
        .map(|s| s.schemas)
        .unwrap_or_default()
}

const FORMATS: [(SerdeFormat, &str); 3] = [
    (SerdeFormat::String, "String — StringSerializer('utf_8')"),
    (
        SerdeFormat::Json,
        "JSON — json.dumps(value).encode('utf-8')",
    ),
    (
        SerdeFormat::Avro,
        "Avro — AvroSerializer(schema_registry_client, schema_str)",
    ),
];

/// What the program does for `topic` now, in words.
pub fn describe(current: &[TopicSerializers], topic: &str) -> String {
    match current.iter().find(|s| s.topic == topic) {
        Some(s) if s.value_format == SerdeFormat::Avro => format!(
            "values: AvroSerializer with schema {} (subject {topic}-value)",
            s.value_schema.as_deref().unwrap_or("?")
        ),
        Some(s) if s.value_format == SerdeFormat::Json => "values: json.dumps".into(),
        _ => "values: StringSerializer('utf_8')".into(),
    }
}

#[function_component(SerializerForm)]
pub fn serializer_form(p: &SerializerFormProps) -> Html {
    let examples = use_memo((), |_| examples());
    let topic = use_state(String::new);
    let format = use_state(|| SerdeFormat::Avro);
    let schema = use_state(|| {
        examples
            .first()
            .map(|s| s.schema.clone())
            .unwrap_or_default()
    });
    let chosen = if p.topics.contains(&topic) {
        (*topic).clone()
    } else {
        p.topics.first().cloned().unwrap_or_default()
    };
    let on_topic = {
        let topic = topic.clone();
        Callback::from(move |e: Event| {
            topic.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_format = {
        let format = format.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            format.set(match v.as_str() {
                "json" => SerdeFormat::Json,
                "avro" => SerdeFormat::Avro,
                _ => SerdeFormat::String,
            })
        })
    };
    let on_example = {
        let (schema, examples) = (schema.clone(), examples.clone());
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(s) = examples.iter().find(|s| s.name == name) {
                schema.set(s.schema.clone());
            }
        })
    };
    let on_schema = {
        let schema = schema.clone();
        Callback::from(move |e: InputEvent| {
            schema.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let onsubmit = {
        let (on_set, chosen, format, schema) = (
            p.on_set.clone(),
            chosen.clone(),
            format.clone(),
            schema.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !chosen.is_empty() {
                on_set.emit((chosen.clone(), *format, (*schema).clone()));
            }
        })
    };
    html! {
        <form aria-label="Serialize values" onsubmit={onsubmit} novalidate=true class="serializer-form">
            <p class="hint">{ "Serialization is the client library's job: Kafka stores whatever bytes it gets. " }
                { format!("Now, for {}: {}.", if chosen.is_empty() { "the topic" } else { &chosen }, describe(&p.current, &chosen)) }</p>
            <div class="field">
                <label for="ser-topic">{ "Topic" }</label>
                <select id="ser-topic" onchange={on_topic} disabled={p.topics.is_empty()}>
                    { for p.topics.iter().map(|t| html! { <option value={t.clone()} selected={*t == chosen}>{ t }</option> }) }
                </select>
            </div>
            <div class="field">
                <label for="ser-format">{ "Value serializer" }</label>
                <select id="ser-format" onchange={on_format}>
                    { for FORMATS.iter().map(|(f, label)| html! {
                        <option value={f.name()} selected={*f == *format}>{ *label }</option>
                    }) }
                </select>
            </div>
            if *format == SerdeFormat::Avro {
                <div class="field">
                    <label for="ser-example">{ "Start from" }</label>
                    <select id="ser-example" onchange={on_example}>
                        { for examples.iter().map(|s| html! { <option value={s.name.clone()} selected={s.schema == *schema}>{ s.name.clone() }</option> }) }
                    </select>
                </div>
                <div class="field">
                    <label for="ser-schema">{ "Schema (schema_str)" }</label>
                    <textarea id="ser-schema" class="mono" rows="8" spellcheck="false" value={(*schema).clone()} oninput={on_schema}
                        aria-invalid={if p.error.is_some() { "true" } else { "false" }}
                        aria-describedby={if p.error.is_some() { "ser-error" } else { "ser-hint" }} />
                    if p.error.is_none() {
                        <div class="hint" id="ser-hint">{ "Then produce values as the program's dict in JSON, e.g. {\"payment_id\": \"pay-1\", \"amount\": 12.50, …} (Avro's JSON encoding works too); a value that does not match fails in the serializer, before produce(). Not every mismatch: fastavro converts what Python converts (\"12.50\" for a double is written as 12.5), Java's writer only numbers." }</div>
                    }
                </div>
            } else if *format == SerdeFormat::Json {
                <div class="hint">{ "Then produce values as JSON text, e.g. {\"payment_id\": \"pay-1\", \"amount\": 12.5}." }</div>
            }
            if let Some(e) = &p.error {
                <div class="field-error" id="ser-error" role="alert">{ e }</div>
            }
            <div class="form-actions">
                <button type="submit" class="primary" disabled={p.topics.is_empty()}>{ "Use this serializer" }</button>
            </div>
        </form>
    }
}
