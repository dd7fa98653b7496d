//! "Produce an event": the lecture's `producer.produce(topic, key=…, value=…)` with the lecture's
//! example prefilled, plus `poll()` and `flush()`. The core validates and answers (for example
//! `BufferError` when the local queue is full); this form shows the answer next to the fields.

use super::field::Field;
use ksim::{Action, HeaderSpec, SimError};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProduceFormProps {
    pub topics: Vec<String>,
    pub on_action: Callback<Action>,
    pub error: Option<SimError>,
    /// The serializers now (`View::serializers`): the value field says which one its text meets.
    #[prop_or_default]
    pub serializers: Vec<ksim::TopicSerializers>,
}

/// What the value's text must be for the topic's serializer.
fn value_hint(serializers: &[ksim::TopicSerializers], topic: &str) -> String {
    let now = super::serializer_form::describe(serializers, topic);
    match serializers
        .iter()
        .find(|s| s.topic == topic)
        .map(|s| s.value_format)
    {
        Some(ksim::SerdeFormat::Avro) => {
            format!("{topic} {now}: type the value as the program's dict in JSON (decimals as numbers, unions bare) or in Avro's JSON encoding")
        }
        Some(ksim::SerdeFormat::Json) => format!("{topic} {now}: type the value as JSON"),
        _ => format!("{topic} {now}: the text's UTF-8 bytes"),
    }
}

#[function_component(ProduceForm)]
pub fn produce_form(p: &ProduceFormProps) -> Html {
    let topic = use_state(String::new);
    let key = use_state(|| "Alice".to_string());
    let value = use_state(|| "Made a payment of $200 to Bob".to_string());
    let header = use_state(String::new);
    let local_error = use_state(|| None::<String>);

    let chosen = if p.topics.contains(&topic) {
        (*topic).clone()
    } else {
        p.topics.first().cloned().unwrap_or_default()
    };
    let onsubmit = {
        let (key, value, header, cb, chosen, local_error) = (
            key.clone(),
            value.clone(),
            header.clone(),
            p.on_action.clone(),
            chosen.clone(),
            local_error.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if chosen.is_empty() {
                local_error.set(Some("Create a topic first.".into()));
                return;
            }
            local_error.set(None);
            let headers = header
                .split(',')
                .filter(|h| !h.trim().is_empty())
                .map(|h| match h.split_once('=') {
                    Some((k, v)) => HeaderSpec {
                        key: k.trim().into(),
                        value: Some(v.into()),
                    },
                    None => HeaderSpec {
                        key: h.trim().into(),
                        value: None,
                    },
                })
                .collect();
            cb.emit(Action::Produce {
                topic: chosen.clone(),
                key: if key.is_empty() {
                    None
                } else {
                    Some((*key).clone())
                },
                value: Some((*value).clone()),
                headers,
                partition: None,
                timestamp_ms: None,
            });
        })
    };
    let on_topic = {
        let topic = topic.clone();
        Callback::from(move |e: Event| {
            topic.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |v: String| s.set(v))
    };
    // "Create a topic first." belongs to the Topic field; the core's errors to the value.
    let topic_error = (*local_error).clone();
    let error = p
        .error
        .as_ref()
        .map(|e| e.to_string())
        .filter(|_| topic_error.is_none());
    let poll = {
        let cb = p.on_action.clone();
        Callback::from(move |_| cb.emit(Action::Poll))
    };
    let flush = {
        let cb = p.on_action.clone();
        Callback::from(move |_| cb.emit(Action::Flush { timeout_ms: None }))
    };
    html! {
        <form aria-label="Produce an event" onsubmit={onsubmit} novalidate=true>
            <div class="field">
                <label for="produce-topic">{ "Topic" }</label>
                <select id="produce-topic" onchange={on_topic} disabled={p.topics.is_empty()}
                    aria-invalid={if topic_error.is_some() { "true" } else { "false" }}
                    aria-describedby={topic_error.as_ref().map(|_| "produce-topic-error")}>
                    { for p.topics.iter().map(|t| html! { <option value={t.clone()} selected={*t == chosen}>{ t }</option> }) }
                </select>
                if let Some(err) = &topic_error {
                    <div class="field-error" id="produce-topic-error">{ err }</div>
                }
            </div>
            <Field id="produce-key" label="Key" value={(*key).clone()} on_input={set(&key)}
                hint={Some(AttrValue::from("Empty = no key (null): the partitioner picks a partition"))} />
            <Field id="produce-value" label="Value" value={(*value).clone()} on_input={set(&value)} error={error}
                hint={Some(AttrValue::from(value_hint(&p.serializers, &chosen)))} />
            <Field id="produce-headers" label="Headers" value={(*header).clone()} on_input={set(&header)}
                hint={Some(AttrValue::from("name=value, comma separated (optional)"))} />
            <div class="form-actions">
                <button type="submit" class="primary">{ "Produce" }</button>
                <button type="button" onclick={poll} title="Serve ready delivery reports">{ "poll()" }</button>
                <button type="button" onclick={flush} title="Send everything now and wait for the reports">{ "flush()" }</button>
            </div>
        </form>
    }
}
