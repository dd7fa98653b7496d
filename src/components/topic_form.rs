//! "Create a topic": name, partitions, replication factor. Validation is the core's
//! (`ksim::SimError`, Kafka's rules); this form only shows the message next to the right field.

use super::field::Field;
use ksim::{SimError, TopicSpec};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TopicFormProps {
    pub on_create: Callback<TopicSpec>,
    /// The core's answer to the last attempt, if it was an error.
    pub error: Option<SimError>,
    pub broker_count: u32,
}

/// Which field an error belongs to.
fn field_of(e: &SimError) -> &'static str {
    match e {
        SimError::InvalidPartitions(_) => "partitions",
        SimError::InvalidReplicationFactor(_) => "rf",
        _ => "name",
    }
}

#[function_component(TopicForm)]
pub fn topic_form(p: &TopicFormProps) -> Html {
    let name = use_state(|| "payments".to_string());
    let partitions = use_state(|| "3".to_string());
    let rf = use_state(|| p.broker_count.min(3).to_string());
    let local_error = use_state(|| None::<(&'static str, String)>);

    let errors: Option<(&'static str, String)> = (*local_error)
        .clone()
        .or_else(|| p.error.as_ref().map(|e| (field_of(e), e.to_string())));
    let err_for = |f: &str| {
        errors
            .as_ref()
            .filter(|(k, _)| *k == f)
            .map(|(_, m)| m.clone())
    };

    let onsubmit = {
        let (name, partitions, rf, local_error, cb) = (
            name.clone(),
            partitions.clone(),
            rf.clone(),
            local_error.clone(),
            p.on_create.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let parse = |v: &str, field: &'static str, what: &str| {
                v.trim()
                    .parse::<u32>()
                    .map_err(|_| (field, format!("{what} must be a whole number")))
            };
            let parsed = parse(&partitions, "partitions", "Partitions")
                .and_then(|pc| parse(&rf, "rf", "Replication factor").map(|r| (pc, r)));
            match parsed {
                Err(err) => local_error.set(Some(err)),
                Ok((partitions, replication_factor)) => {
                    local_error.set(None);
                    cb.emit(TopicSpec {
                        name: (*name).clone(),
                        partitions,
                        replication_factor,
                        ..TopicSpec::default()
                    });
                }
            }
        })
    };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |v: String| s.set(v))
    };
    html! {
        <form aria-label="Create a topic" onsubmit={onsubmit} novalidate=true>
            <Field id="topic-name" label="Topic name" value={(*name).clone()} on_input={set(&name)}
                error={err_for("name")} hint={Some(AttrValue::from("1–249 characters: letters, digits, . _ -"))} />
            <div class="row">
                <Field id="topic-partitions" label="Partitions" input_type="number" min={Some(AttrValue::from("1"))}
                    value={(*partitions).clone()} on_input={set(&partitions)} error={err_for("partitions")} />
                <Field id="topic-rf" label="Replication factor" input_type="number" min={Some(AttrValue::from("1"))}
                    value={(*rf).clone()} on_input={set(&rf)} error={err_for("rf")} />
            </div>
            <div class="form-actions"><button type="submit">{ "Create topic" }</button></div>
        </form>
    }
}
