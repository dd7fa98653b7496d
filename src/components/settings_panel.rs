//! Producer settings as the core reports them (effective value and where it came from), each
//! with librdkafka's and the Java 3.6 client's default and a one-line explanation; the client
//! profile switch; topic settings; the broker count and the other cluster settings (a changed
//! cluster replays the session). Every change goes to the core, which validates it with the
//! client's or Kafka's own rules and messages; errors appear next to the field.
//!
//! The help texts below are documentation, not behaviour: defaults shown come from `ksim`.

use crate::session::{cluster_setting, CLUSTER_SETTINGS};
use ksim::config;
use ksim::{
    ClientProfile, ClusterSpec, ConfigEntry, ConfigSource, ProducerSettings, ProducerSpec,
    SimError, TopicConfigSource, View,
};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Help for one setting: its librdkafka name and what it does (docs/kafka-sources.md §3). The
/// name the lecture uses and the Java client's name come from `ksim::config` (`lecture_name`,
/// `java_name`), the one place that knows them.
struct Doc {
    rdkafka: &'static str,
    help: &'static str,
    /// Where the lecture's config table differs from the client (docs/kafka-sources.md §3.1).
    lecture: &'static str,
}

const DOCS: &[Doc] = &[
    Doc { rdkafka: "client.id", help: "Name sent with every request; appears in broker logs, metrics and quotas.", lecture: "" },
    Doc { rdkafka: "request.required.acks", help: "Replicas that must have the batch before the broker answers: 0 = no answer, 1 = leader only, -1/all = every in-sync replica.", lecture: "Default all (−1) in librdkafka ≥ 1.0 and Java ≥ 3.0." },
    Doc { rdkafka: "enable.idempotence", help: "Producer id + per-partition sequence numbers: the broker drops duplicates from retries and keeps order. Needs acks=all, retries ≥ 1, in-flight ≤ 5.", lecture: "The lecture says false: true only for librdkafka; Java 3.6 defaults to true." },
    Doc { rdkafka: "message.send.max.retries", help: "How often a failed batch is sent again (bounded in time by message.timeout.ms).", lecture: "" },
    Doc { rdkafka: "retry.backoff.ms", help: "Wait before a retry (librdkafka 2.3: doubles per attempt up to retry.backoff.max.ms).", lecture: "" },
    Doc { rdkafka: "queue.buffering.max.ms", help: "How long the oldest message may wait for more to join its batch.", lecture: "librdkafka 5 ms, Java 3.6 0 ms (Java 4.0: 5 ms)." },
    Doc { rdkafka: "batch.num.messages", help: "A batch is sent once it holds this many messages (librdkafka only).", lecture: "" },
    Doc { rdkafka: "batch.size", help: "A batch is sent once it reaches this many bytes.", lecture: "librdkafka 1,000,000 B, Java 16,384 B." },
    Doc { rdkafka: "message.max.bytes", help: "Largest request the producer builds; a bigger message fails with MSG_SIZE_TOO_LARGE.", lecture: "" },
    Doc { rdkafka: "max.in.flight.requests.per.connection", help: "Requests sent but not answered yet, per broker connection. Above 1 without idempotence, retries can reorder.", lecture: "librdkafka 1,000,000, Java 5." },
    Doc { rdkafka: "message.timeout.ms", help: "Total time a message may take, retries included, before it fails with _MSG_TIMED_OUT.", lecture: "librdkafka 300 s, Java 120 s." },
    Doc { rdkafka: "request.timeout.ms", help: "How long the broker may wait for replicas with acks=all (sent in the request).", lecture: "" },
    Doc { rdkafka: "socket.timeout.ms", help: "How long librdkafka waits for a response before it gives up on the request and retries.", lecture: "" },
    Doc { rdkafka: "compression.codec", help: "Codec for each batch's records: none, gzip, snappy, lz4, zstd.", lecture: "" },
    Doc { rdkafka: "compression.level", help: "Codec level; -1 = the codec's default.", lecture: "" },
    Doc { rdkafka: "queue.buffering.max.messages", help: "Local queue limit; beyond it produce() raises BufferError.", lecture: "" },
    Doc { rdkafka: "partitioner", help: "Key → partition: consistent_random = crc32(key) % partitions; murmur2_random = Java's mapping.", lecture: "" },
];

impl Doc {
    /// The name the lecture (and Python code) uses.
    fn alias(&self) -> &'static str {
        config::lecture_name(self.rdkafka)
    }

    /// The Java 3.6 name, empty where Java has no such setting.
    fn java(&self) -> &'static str {
        config::java_name(self.rdkafka).unwrap_or("")
    }
}

fn doc_for(name: &str) -> Option<&'static Doc> {
    DOCS.iter()
        .find(|d| d.rdkafka == name || d.java() == name || d.alias() == name)
}

fn defaults_of(profile: ClientProfile) -> Vec<ConfigEntry> {
    ProducerSettings::from_spec(&ProducerSpec {
        profile,
        ..ProducerSpec::default()
    })
    .map(|s| s.entries)
    .unwrap_or_default()
}

fn default_value(entries: &[ConfigEntry], name: &str) -> String {
    if name.is_empty() {
        return "—".into();
    }
    entries
        .iter()
        .find(|e| e.name == name)
        .map_or("—".into(), |e| e.value.clone())
}

#[derive(Properties, PartialEq)]
pub struct SettingsPanelProps {
    pub view: Rc<View>,
    pub profile: ClientProfile,
    pub broker_count: u32,
    /// The scenario's cluster, for the cluster settings.
    pub cluster: ClusterSpec,
    /// (setting name, value) → the core applies `set_producer_config`.
    pub on_set: Callback<(String, String)>,
    pub on_profile: Callback<ClientProfile>,
    pub on_brokers: Callback<u32>,
    /// (cluster setting, value as typed) → the session replays with the changed cluster.
    pub on_cluster: Callback<(String, String)>,
    /// (topic, config name, value) → `set_topic_config`.
    pub on_topic_config: Callback<(String, String, String)>,
    /// The core's answer to the last change, if it was an error, with the setting it concerned.
    pub error: Option<(String, SimError)>,
}

#[function_component(SettingsPanel)]
pub fn settings_panel(p: &SettingsPanelProps) -> Html {
    let rdk_defaults = use_memo((), |_| defaults_of(ClientProfile::Librdkafka));
    let java_defaults = use_memo((), |_| defaults_of(ClientProfile::Java));
    let on_profile = {
        let cb = p.on_profile.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            cb.emit(if v == "java" {
                ClientProfile::Java
            } else {
                ClientProfile::Librdkafka
            });
        })
    };
    let on_brokers = {
        let cb = p.on_brokers.clone();
        Callback::from(move |e: Event| {
            if let Ok(n) = e
                .target_unchecked_into::<HtmlSelectElement>()
                .value()
                .parse()
            {
                cb.emit(n);
            }
        })
    };
    // In the order of the lecture's config table (DOCS), not alphabetically.
    let mut shown: Vec<(usize, &ConfigEntry)> = p
        .view
        .producer
        .config
        .iter()
        .filter_map(|e| {
            DOCS.iter()
                .position(|d| d.rdkafka == e.name || d.java() == e.name)
                .map(|i| (i, e))
        })
        .collect();
    shown.sort_by_key(|(i, _)| *i);
    let shown: Vec<&ConfigEntry> = shown.into_iter().map(|(_, e)| e).collect();
    html! {
        <section class="panel" aria-labelledby="h-settings">
            <h2 id="h-settings">{ "Settings" }</h2>
            <div class="row">
                <div class="field">
                    <label for="profile">{ "Client" }</label>
                    <select id="profile" onchange={on_profile}>
                        <option value="librdkafka" selected={p.profile == ClientProfile::Librdkafka}>{ "confluent-kafka (librdkafka 2.3)" }</option>
                        <option value="java" selected={p.profile == ClientProfile::Java}>{ "Java client 3.6" }</option>
                    </select>
                </div>
                <div class="field">
                    <label for="brokers">{ "Brokers" }</label>
                    <select id="brokers" onchange={on_brokers}>
                        { for (1..=ksim::MAX_BROKERS).map(|n| html! { <option value={n.to_string()} selected={n == p.broker_count}>{ n }</option> }) }
                    </select>
                </div>
            </div>
            <p class="hint">{ "Changing the client, the broker count or a cluster setting replays everything you did so far with the new choice." }</p>
            <details open=true>
                <summary>{ "Producer configuration" }</summary>
                <p class="hint">{ "A real client fixes its configuration when the Producer is created. Here a change takes effect for the next batches; to see a setting's real behaviour, set it before producing (or use Reset)." }</p>
                <ul class="settings">
                { for shown.iter().map(|e| {
                    let doc = doc_for(&e.name);
                    let label = doc.map_or(e.name.as_str(), |d| if p.profile == ClientProfile::Java { d.java() } else { d.alias() });
                    let id = format!("cfg-{}", e.name.replace('.', "-"));
                    let error = p.error.as_ref().filter(|(n, _)| n == &e.name).map(|(_, err)| err.to_string());
                    let source = match e.source {
                        ConfigSource::Default => "default",
                        ConfigSource::User => "set by you",
                        ConfigSource::Adjusted => "adjusted",
                    };
                    let onchange = {
                        let (cb, name) = (p.on_set.clone(), e.name.clone());
                        Callback::from(move |ev: Event| cb.emit((name.clone(), ev.target_unchecked_into::<HtmlInputElement>().value())))
                    };
                    let (rdk, java) = doc.map_or(("—".to_string(), "—".to_string()), |d| (default_value(&rdk_defaults, d.rdkafka), default_value(&java_defaults, d.java())));
                    html! {
                        <li class="setting" key={e.name.clone()}>
                            <div class="setting-head">
                                <label for={id.clone()}><code>{ label }</code></label>
                                <span class={classes!("pill", (e.source != ConfigSource::Default).then_some("warn"))}>{ source }</span>
                            </div>
                            <input id={id.clone()} value={e.value.clone()} onchange={onchange}
                                aria-invalid={if error.is_some() { "true" } else { "false" }}
                                aria-describedby={format!("{id}-help")} />
                            if let Some(err) = error {
                                <div class="field-error" role="alert">{ err }</div>
                            }
                            <div class="hint" id={format!("{id}-help")}>
                                { doc.map_or("", |d| d.help) }
                                <br/>{ format!("Defaults: librdkafka {rdk} · Java 3.6 {java}") }
                                if let Some(d) = doc.filter(|d| !d.lecture.is_empty()) { <br/><span class="lecture">{ d.lecture }</span> }
                            </div>
                        </li>
                    }
                }) }
                </ul>
            </details>
            <ClusterSettings cluster={p.cluster.clone()} on_cluster={p.on_cluster.clone()}
                error={p.error.as_ref().and_then(|(n, e)| Some((n.strip_prefix("cluster:")?.to_string(), field_message(e))))} />
            <TopicSettings view={p.view.clone()} on_topic_config={p.on_topic_config.clone()}
                error={p.error.as_ref().and_then(|(n, e)| {
                    let (topic, name) = n.strip_prefix("topic:")?.split_once('/')?;
                    Some((topic.to_string(), name.to_string(), e.to_string()))
                })} />
        </section>
    }
}

/// An error as a field shows it: the core's text without "invalid scenario: " (the field says
/// which setting it is about).
fn field_message(e: &SimError) -> String {
    match e {
        SimError::InvalidScenario(m) => m.clone(),
        e => e.to_string(),
    }
}

/// Help for a cluster setting (`session::CLUSTER_SETTINGS`): its label, a one-line explanation,
/// and whose default it is. Values and defaults are the scenario's (`ClusterSpec`).
fn cluster_doc(name: &str) -> (&'static str, &'static str, &'static str) {
    match name {
        "record_bytes_budget_mb" => (
            "Record bytes budget (MiB)",
            "The playground's memory bound, not a Kafka setting: nearing it the oldest committed batches drop their record bytes (offsets and sizes stay); a run that cannot stay under it pauses.",
            "Playground default",
        ),
        "log.retention.check.interval.ms" => (
            "log.retention.check.interval.ms",
            "How often each broker deletes the segments that retention.ms or retention.bytes let go (the first time 30 s after it starts).",
            "Kafka 3.6 default",
        ),
        "auto.create.topics.enable" => (
            "auto.create.topics.enable",
            "A producer's Metadata request naming an unknown topic makes the broker create it, with the two settings below.",
            "Kafka 3.6 default",
        ),
        "num.partitions" => (
            "num.partitions",
            "Partitions of an auto-created topic.",
            "Kafka 3.6 default",
        ),
        "default.replication.factor" => (
            "default.replication.factor",
            "Replication factor of an auto-created topic (at most the broker count here).",
            "Kafka 3.6 default",
        ),
        _ => ("", "", ""),
    }
}

#[derive(Properties, PartialEq)]
struct ClusterSettingsProps {
    cluster: ClusterSpec,
    on_cluster: Callback<(String, String)>,
    /// The last cluster setting change, if it failed: (setting, message).
    error: Option<(String, String)>,
}

#[function_component(ClusterSettings)]
fn cluster_settings(p: &ClusterSettingsProps) -> Html {
    let defaults = use_memo((), |_| ClusterSpec::default());
    // What the learner is typing, (setting, text), until the change is sent: the panel re-renders
    // every frame while the clock runs (see `TopicSettings`).
    let draft = use_state(|| None::<(String, String)>);
    html! {
        <details>
            <summary>{ "Cluster configuration" }</summary>
            <p class="hint">{ "Broker settings are fixed when a cluster starts: a change here replays everything you did so far on a cluster started with it." }</p>
            <ul class="settings">
            { for CLUSTER_SETTINGS.iter().map(|name| {
                let name = *name;
                let (label, help, whose) = cluster_doc(name);
                let id = format!("ccfg-{}", name.replace(['.', '_'], "-"));
                let value = cluster_setting(&p.cluster, name).unwrap_or_default();
                let default = cluster_setting(&defaults, name).unwrap_or_default();
                let changed = value != default;
                let error = p.error.as_ref().filter(|(n, _)| n == name).map(|(_, e)| e.clone());
                let send = {
                    let (cb, draft) = (p.on_cluster.clone(), draft.clone());
                    move |text: String| {
                        draft.set(None);
                        cb.emit((name.to_string(), text));
                    }
                };
                let control = if name == "auto.create.topics.enable" {
                    let onchange = Callback::from(move |ev: Event| send(ev.target_unchecked_into::<HtmlSelectElement>().value()));
                    html! {
                        <select id={id.clone()} onchange={onchange} aria-describedby={format!("{id}-help")}>
                            <option value="true" selected={value == "true"}>{ "true" }</option>
                            <option value="false" selected={value == "false"}>{ "false" }</option>
                        </select>
                    }
                } else {
                    let shown = match &*draft {
                        Some((n, text)) if n == name => text.clone(),
                        _ => value.clone(),
                    };
                    let oninput = {
                        let draft = draft.clone();
                        Callback::from(move |ev: InputEvent| draft.set(Some((name.to_string(), ev.target_unchecked_into::<HtmlInputElement>().value()))))
                    };
                    let onchange = Callback::from(move |ev: Event| send(ev.target_unchecked_into::<HtmlInputElement>().value()));
                    html! {
                        <input id={id.clone()} value={shown} inputmode="numeric" oninput={oninput} onchange={onchange}
                            aria-invalid={if error.is_some() { "true" } else { "false" }}
                            aria-describedby={format!("{id}-help")} />
                    }
                };
                html! {
                    <li class="setting" key={name}>
                        <div class="setting-head">
                            // Kafka's names as code; the playground's own setting in words.
                            <label for={id.clone()}>if name.contains('.') { <code>{ label }</code> } else { { label } }</label>
                            <span class={classes!("pill", changed.then_some("warn"))}>{ if changed { "changed" } else { "default" } }</span>
                        </div>
                        { control }
                        if let Some(err) = error {
                            <div class="field-error" role="alert">{ err }</div>
                        }
                        <div class="hint" id={format!("{id}-help")}>{ format!("{help} {whose}: {default}.") }</div>
                    </li>
                }
            }) }
            </ul>
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct TopicSettingsProps {
    view: Rc<View>,
    on_topic_config: Callback<(String, String, String)>,
    /// The core's answer to the last topic config change, if it was an error: (topic, config
    /// name, message). Shown only while that topic is chosen.
    error: Option<(String, String, String)>,
}

/// Topic configs that change what the broker does, with a one-line explanation
/// (docs/kafka-sources.md §1.8, §2.3, §6; segments and retention: `UnifiedLog`, see
/// `ksim`'s `partition_log.rs`). Values, defaults and where a value comes from are the
/// core's (`View::topics`).
const TOPIC_CONFIGS: &[(&str, &str)] = &[
    (
        "min.insync.replicas",
        "With acks=all, fewer in-sync replicas than this ⇒ NOT_ENOUGH_REPLICAS.",
    ),
    (
        "compression.type",
        "producer keeps the batch's codec; any other value makes the broker recompress.",
    ),
    (
        "unclean.leader.election.enable",
        "true lets an out-of-sync replica lead: acknowledged data can be lost.",
    ),
    (
        "max.message.bytes",
        "Largest batch the broker accepts (MESSAGE_TOO_LARGE above).",
    ),
    (
        "segment.bytes",
        "A segment rolls (a new one starts) before a batch would take it past this size.",
    ),
    (
        "segment.ms",
        "A segment rolls once a batch is this much newer than the segment's first batch.",
    ),
    (
        "retention.ms",
        "Whole segments whose newest record is older than this are deleted at the next retention check; -1 keeps them.",
    ),
    (
        "retention.bytes",
        "The oldest segments are deleted while the log stays at least this big without them; -1 = no limit.",
    ),
];

#[function_component(TopicSettings)]
fn topic_settings(p: &TopicSettingsProps) -> Html {
    let topic = use_state(String::new);
    // What the learner is typing, (topic, config, text), until the change is sent: the inputs show
    // the core's values and the panel re-renders every frame while the clock runs, so without this
    // the typed text would be replaced before Enter.
    let draft = use_state(|| None::<(String, String, String)>);
    let Some(shown) = p
        .view
        .topics
        .iter()
        .find(|t| t.name == *topic)
        .or_else(|| p.view.topics.first())
    else {
        return html! {};
    };
    let chosen = shown.name.clone();
    let on_topic = {
        let topic = topic.clone();
        Callback::from(move |e: Event| {
            topic.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    // The last error, when it belongs to the chosen topic: (config name, message).
    let error_here = p
        .error
        .as_ref()
        .filter(|(t, _, _)| *t == chosen)
        .map(|(_, n, e)| (n.clone(), e.clone()));
    // An error that names none of the fields below still shows, above them.
    let general_error = error_here
        .as_ref()
        .filter(|(n, _)| !TOPIC_CONFIGS.iter().any(|(c, _)| c == n))
        .map(|(_, e)| e.clone());
    html! {
        <details>
            <summary>{ "Topic configuration" }</summary>
            <p class="hint">{ "A value set on the topic overrides the broker's default for all topics, which overrides Kafka's default." }</p>
            <div class="field">
                <label for="topic-cfg-topic">{ "Topic" }</label>
                <select id="topic-cfg-topic" onchange={on_topic}>
                    { for p.view.topics.iter().map(|t| html! { <option value={t.name.clone()} selected={t.name == chosen}>{ &t.name }</option> }) }
                </select>
            </div>
            if let Some(err) = general_error { <div class="field-error" role="alert">{ err }</div> }
            <ul class="settings">
            { for TOPIC_CONFIGS.iter().map(|(name, help)| {
                let id = format!("tcfg-{}", name.replace('.', "-"));
                let entry = shown.configs.iter().find(|c| c.name == *name);
                let value = match &*draft {
                    Some((t, n, text)) if *t == chosen && n == name => text.clone(),
                    _ => entry.map_or(String::new(), |c| c.value.clone()),
                };
                let source = entry.map(|c| c.source).unwrap_or(TopicConfigSource::Default);
                let marker = match source {
                    TopicConfigSource::Default => "default",
                    TopicConfigSource::Broker => "broker default",
                    TopicConfigSource::Topic => "set on topic",
                };
                let error = error_here.as_ref().filter(|(n, _)| n == name).map(|(_, e)| e.clone());
                let oninput = {
                    let (draft, t, n) = (draft.clone(), chosen.clone(), name.to_string());
                    Callback::from(move |ev: InputEvent| draft.set(Some((t.clone(), n.clone(), ev.target_unchecked_into::<HtmlInputElement>().value()))))
                };
                // Sent to the core; from then on the input shows the core's value again (the new
                // one, or the old one next to the error if the core rejected the change).
                let onchange = {
                    let (cb, draft, t, n) = (p.on_topic_config.clone(), draft.clone(), chosen.clone(), name.to_string());
                    Callback::from(move |ev: Event| {
                        draft.set(None);
                        cb.emit((t.clone(), n.clone(), ev.target_unchecked_into::<HtmlInputElement>().value()));
                    })
                };
                let default = ksim::topic_config_default(name).unwrap_or("—");
                html! {
                    // Keyed by topic too: choosing another topic gives fresh inputs, so text typed
                    // for one topic (say, a rejected value) never shows for another.
                    <li class="setting" key={format!("{chosen}/{name}")}>
                        <div class="setting-head">
                            <label for={id.clone()}><code>{ *name }</code></label>
                            <span class={classes!("pill", (source != TopicConfigSource::Default).then_some("warn"))}>{ marker }</span>
                        </div>
                        <input id={id.clone()} value={value} oninput={oninput} onchange={onchange}
                            aria-invalid={if error.is_some() { "true" } else { "false" }}
                            aria-describedby={format!("{id}-help")} />
                        if let Some(err) = error {
                            <div class="field-error" role="alert">{ err }</div>
                        }
                        <div class="hint" id={format!("{id}-help")}>{ format!("{help} Kafka default: {default}.") }</div>
                    </li>
                }
            }) }
            </ul>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksim::Simulation;

    #[test]
    fn every_topic_config_shown_is_one_the_core_knows_and_accepts() {
        for (name, _) in TOPIC_CONFIGS {
            let default = ksim::topic_config_default(name).unwrap_or_else(|| panic!("{name}"));
            // Set on a topic of a running simulation, Kafka's default is taken as it is.
            let mut sim = Simulation::new(crate::session::default_scenario()).unwrap();
            sim.apply(ksim::Action::SetTopicConfig {
                topic: "payments".into(),
                name: name.to_string(),
                value: default.to_string(),
            })
            .unwrap_or_else(|e| panic!("{name}={default}: {e}"));
        }
        for name in [
            "segment.bytes",
            "segment.ms",
            "retention.ms",
            "retention.bytes",
        ] {
            assert!(TOPIC_CONFIGS.iter().any(|(n, _)| *n == name), "{name}");
        }
    }

    #[test]
    fn every_cluster_setting_has_its_help() {
        for name in CLUSTER_SETTINGS {
            let (label, help, whose) = cluster_doc(name);
            assert!(
                !label.is_empty() && !help.is_empty() && !whose.is_empty(),
                "{name}"
            );
        }
    }
}
