//! The Schema Registry as the core simulates it (`View::schema_registry`): each subject
//! (`<topic>-value`, `<topic>-key`: TopicNameStrategy) with its compatibility level and its
//! versions (version, global schema id, the schema text), the last registration it refused
//! (HTTP 409, as the registry words it), and what the application's serializers cached. Shown
//! only when the scenario uses the registry. Texts are text nodes, never markup: a schema is
//! what a learner or a link typed.

use ksim::View;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RegistryPanelProps {
    pub view: super::Snapshot<View>,
}

fn ms(time_us: u64) -> String {
    format!("{:.1} ms", time_us as f64 / 1000.0)
}

#[function_component(RegistryPanel)]
pub fn registry_panel(p: &RegistryPanelProps) -> Html {
    let Some(r) = &p.view.schema_registry else {
        return html! {};
    };
    let cached = r.serializer_cache.len();
    html! {
        <section class="panel registry" aria-labelledby="h-registry">
            <h2 id="h-registry">{ "Schema Registry" }</h2>
            <p class="hint">
                { format!("Global compatibility {} · {} ms each way from the application · ", r.global_compatibility, r.latency_ms) }
                { format!("the serializers cached {cached} schema id{} and used them {} time{} without asking", if cached == 1 { "" } else { "s" }, r.serializer_cache_hits, if r.serializer_cache_hits == 1 { "" } else { "s" }) }
                if r.calls_in_flight > 0 {
                    { format!(" · the application is blocked in {} registry call{}", r.calls_in_flight, if r.calls_in_flight == 1 { "" } else { "s" }) }
                }
            </p>
            if r.subjects.is_empty() {
                <p class="empty">{ "No subject yet: the first produce() through an AvroSerializer registers its schema." }</p>
            }
            <ul class="subjects">
                { for r.subjects.iter().map(|s| html! {
                    <li>
                        <strong class="mono">{ &s.subject }</strong>
                        { format!(" · compatibility {}{}", s.compatibility, if s.compatibility_is_subject_level { " (set for this subject)" } else { " (global)" }) }
                        <ol class="versions">
                            { for s.versions.iter().map(|v| html! {
                                <li>
                                    <details>
                                        <summary>{ format!("version {} · schema id {}", v.version, v.schema_id) }</summary>
                                        <pre class="schema">{ &v.schema }</pre>
                                    </details>
                                </li>
                            }) }
                        </ol>
                    </li>
                }) }
            </ul>
            if let Some(x) = &r.last_rejection {
                <p class="rejection">
                    <strong>{ format!("✗ Rejected at {}: HTTP {} (error code {}) for {}", ms(x.time_us), x.http_status, x.error_code, x.subject) }</strong>
                    <br />
                    <span class="mono">{ &x.message }</span>
                </p>
            }
        </section>
    }
}
