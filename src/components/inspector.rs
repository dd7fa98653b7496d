//! The batch inspector: a stored batch's real bytes as a hex view, every byte coloured by the
//! field it belongs to (header, record fields, codec framing, compressed payload) and named on
//! hover or focus; the decoded records section; and the same records encoded with each codec.
//! Layout and encoding come from `kwire`; nothing here knows the format. A batch whose record
//! bytes the playground dropped shows the header fields the core keeps, and says so.

use crate::inspect::{Content, ValueBytes};
use crate::sweep_plot::number;
use ksim::BatchView;
use kwire::layout::{layout_batch, FieldGroup, LayoutField};
use kwire::{BatchSpec, Codec, Compression, DecodeLimits, Record, RecordHeader};
use std::rc::Rc;
use yew::prelude::*;

/// Bytes shown before "show all" (the DOM stays small for 1 MiB batches).
const HEX_PREVIEW_BYTES: usize = 2048;
const BYTES_PER_ROW: usize = 16;

/// Which stored batch is open.
#[derive(Clone, PartialEq)]
pub struct BatchRef {
    pub topic: String,
    pub partition: u32,
    pub broker: u32,
    pub index: usize,
    /// Set for a batch inside ProduceRequest #N still on the wire to `broker` (not stored yet).
    pub in_flight: Option<u64>,
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub batch: BatchRef,
    pub content: Content,
    /// Record values written by a JSON or Avro serializer, as the topic's consumer reads them.
    #[prop_or_default]
    pub values: Rc<Vec<ValueBytes>>,
    pub on_close: Callback<()>,
}

/// A modelled duration for the codec comparison, in ns, µs or ms.
fn duration(us: f64) -> String {
    if us == 0.0 {
        "–".into()
    } else if us < 1.0 {
        format!("{:.0} ns", us * 1000.0)
    } else if us < 1000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

/// One row of the codec comparison.
#[derive(Clone, PartialEq)]
struct CodecRow {
    codec: Codec,
    size_bytes: Option<usize>,
    note: String,
}

/// Re-encodes the batch's records with each codec (same producer fields) to compare sizes.
fn compare_codecs(bytes: &[u8]) -> Vec<CodecRow> {
    let Ok((batch, _)) = kwire::decode_batch(bytes, &DecodeLimits::default()) else {
        return Vec::new();
    };
    let records: Vec<Record> = batch
        .records
        .iter()
        .map(|r| Record {
            timestamp_ms: batch.header.base_timestamp + r.timestamp_delta,
            key: r.key.clone(),
            value: r.value.clone(),
            headers: r
                .headers
                .iter()
                .map(|h| RecordHeader {
                    key: h.key.clone(),
                    value: h.value.clone(),
                })
                .collect(),
        })
        .collect();
    Codec::ALL
        .iter()
        .map(|&codec| {
            let spec = BatchSpec {
                producer_id: batch.header.producer_id,
                producer_epoch: batch.header.producer_epoch,
                base_sequence: batch.header.base_sequence,
                compression: Compression {
                    codec,
                    ..Compression::default()
                },
                ..BatchSpec::default()
            };
            match kwire::encode_batch(&spec, &records) {
                Ok(e) => CodecRow {
                    codec,
                    size_bytes: Some(e.bytes.len()),
                    note: String::new(),
                },
                Err(e) => CodecRow {
                    codec,
                    size_bytes: None,
                    note: e.to_string(),
                },
            }
        })
        .collect()
}

fn group_class(g: FieldGroup) -> &'static str {
    match g {
        FieldGroup::Header => "g-header",
        FieldGroup::Record => "g-record",
        FieldGroup::Payload => "g-payload",
        FieldGroup::Framing => "g-framing",
    }
}

/// Field index of every byte (the layout tiles the buffer).
fn owners(fields: &[LayoutField], len: usize) -> Vec<Option<usize>> {
    let mut out = vec![None; len];
    for (i, f) in fields.iter().enumerate() {
        for slot in out.iter_mut().take(f.end.min(len)).skip(f.start) {
            *slot = Some(i);
        }
    }
    out
}

#[derive(Properties, PartialEq)]
struct HexProps {
    bytes: Rc<Vec<u8>>,
    fields: Rc<Vec<LayoutField>>,
    selected: Option<usize>,
    on_select: Callback<Option<usize>>,
    label: AttrValue,
}

#[function_component(HexView)]
fn hex_view(p: &HexProps) -> Html {
    let show_all = use_state(|| false);
    let limit = if *show_all {
        p.bytes.len()
    } else {
        p.bytes.len().min(HEX_PREVIEW_BYTES)
    };
    let own = owners(&p.fields, limit);
    let rows = limit.div_ceil(BYTES_PER_ROW);
    html! {
        <div class="hex" role="group" aria-label={p.label.clone()}>
            { for (0..rows).map(|r| {
                let start = r * BYTES_PER_ROW;
                let end = (start + BYTES_PER_ROW).min(limit);
                html! {
                    <div class="hex-row">
                        <span class="hex-addr">{ format!("{start:06x}") }</span>
                        { for (start..end).map(|i| {
                            let f = own[i];
                            let field = f.and_then(|f| p.fields.get(f));
                            let class = classes!(
                                "b",
                                field.map(|f| group_class(f.group)),
                                (f.is_some() && f == p.selected).then_some("sel"),
                                field.filter(|f| f.start == i).map(|_| "first"),
                            );
                            let cb = p.on_select.clone();
                            html! {
                                <span class={class} title={field.map(|f| format!("{} = {}", f.name, f.value))}
                                    onmouseenter={Callback::from(move |_| cb.emit(f))}>{ format!("{:02x}", p.bytes[i]) }</span>
                            }
                        }) }
                    </div>
                }
            }) }
            if p.bytes.len() > limit {
                <button class="small" onclick={{ let s = show_all.clone(); Callback::from(move |_| s.set(true)) }}>
                    { format!("Show all {} bytes", p.bytes.len()) }</button>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct FieldTableProps {
    fields: Rc<Vec<LayoutField>>,
    selected: Option<usize>,
    on_select: Callback<Option<usize>>,
    label: AttrValue,
}

#[function_component(FieldTable)]
fn field_table(p: &FieldTableProps) -> Html {
    html! {
        <div class="fields-scroll">
        <table aria-label={p.label.clone()} class="fields">
            <thead><tr><th scope="col">{ "field" }</th><th class="num" scope="col">{ "bytes" }</th><th scope="col">{ "value" }</th></tr></thead>
            <tbody>
            { for p.fields.iter().enumerate().take(400).map(|(i, f)| {
                let cb = p.on_select.clone();
                html! {
                    <tr class={classes!(group_class(f.group), (Some(i) == p.selected).then_some("sel"))}
                        tabindex="0" onfocus={Callback::from(move |_| cb.emit(Some(i)))}>
                        <td class="mono">{ &f.name }</td>
                        <td class="num">{ if f.end - f.start == 1 { format!("{}", f.start) } else { format!("{}–{}", f.start, f.end - 1) } }</td>
                        <td class="text">{ &f.value }</td>
                    </tr>
                }
            }) }
            </tbody>
        </table>
        </div>
    }
}

#[function_component(Inspector)]
pub fn inspector(p: &InspectorProps) -> Html {
    let heading = use_node_ref();
    {
        // Opened far below the fold: bring it into view and move focus to its heading.
        let heading = heading.clone();
        use_effect_with(p.batch.clone(), move |_| {
            if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                h.scroll_into_view();
                let _ = h.focus();
            }
        });
    }
    let b = &p.batch;
    let title = match b.in_flight {
        Some(req) => format!(
            "Batch of {}-{} in ProduceRequest #{req}, on its way to broker {}",
            b.topic, b.partition, b.broker
        ),
        None => format!(
            "Batch #{} of {}-{} on broker {}",
            b.index, b.topic, b.partition, b.broker
        ),
    };
    let close = {
        let cb = p.on_close.clone();
        Callback::from(move |_| cb.emit(()))
    };
    html! {
        <section class="panel wide" aria-labelledby="h-inspector" id="inspector">
            <div class="panel-head">
                <h2 id="h-inspector" ref={heading} tabindex="-1">{ title }</h2>
                <button class="small" onclick={close}>{ "Close inspector" }</button>
            </div>
            { match &p.content {
                Content::Bytes(bytes) => html! { <BatchBytes bytes={bytes.clone()} /> },
                Content::PayloadDropped(header) => dropped_batch(header),
            } }
            if !p.values.is_empty() {
                <h3>{ "Values as the topic's consumer reads them" }</h3>
                <p class="hint">{ "Kafka stores these bytes as they came; the serializer made them, the consumer's deserializer reads them. Avro in Confluent's wire format: magic byte 0, a 4-byte schema id, then the Avro binary — no field names, each field in schema order: zig-zag varints for int and long, a length before each string or bytes, an index before a union's value." }</p>
                { for p.values.iter().map(value_bytes) }
            }
        </section>
    }
}

/// One value's bytes annotated with the core's reading of them.
fn value_bytes(v: &ValueBytes) -> Html {
    html! { <ValueBytesView value={v.clone()} /> }
}

#[derive(Properties, PartialEq)]
struct ValueBytesProps {
    value: ValueBytes,
}

#[function_component(ValueBytesView)]
fn value_bytes_view(p: &ValueBytesProps) -> Html {
    let selected = use_state(|| None::<usize>);
    let v = &p.value;
    let fields = use_memo(v.bytes.clone(), {
        let spans = v.read.spans.clone();
        move |_| {
            spans
                .iter()
                .map(|s| LayoutField {
                    start: s.start,
                    end: s.end,
                    name: if s.path.is_empty() {
                        "framing".into()
                    } else {
                        s.path.clone()
                    },
                    group: if s.path.is_empty() {
                        FieldGroup::Header
                    } else {
                        FieldGroup::Record
                    },
                    value: s.what.clone(),
                })
                .collect::<Vec<_>>()
        }
    });
    let sel = {
        let s = selected.clone();
        Callback::from(move |i| s.set(i))
    };
    let how = match (v.read.deserializer, v.read.schema_id, &v.read.subject) {
        (ksim::SerdeFormat::Avro, Some(id), Some(subject)) => {
            format!("Avro, schema id {id} ({subject})")
        }
        (ksim::SerdeFormat::Avro, _, _) => "Avro".to_string(),
        _ => "JSON".to_string(),
    };
    html! {
        <div class="value-bytes">
            <p class="stat-line">
                <span>{ format!("offset {}", v.offset) }</span>
                <span>{ format!("{} B", v.bytes.len()) }</span>
                <span>{ how }</span>
            </p>
            if let Some(e) = &v.read.error {
                <p class="field-error">{ format!("✗ {e}") }</p>
            }
            if let Some(t) = &v.read.text {
                <p class="mono decoded">{ t.clone() }</p>
            }
            if !fields.is_empty() {
                <div class="inspector-grid">
                    <HexView bytes={v.bytes.clone()} fields={Rc::new((*fields).clone())} selected={*selected} on_select={sel.clone()}
                        label={format!("Value bytes of offset {} (hex)", v.offset)} />
                    <FieldTable fields={Rc::new((*fields).clone())} selected={*selected} on_select={sel}
                        label={format!("Value fields of offset {}", v.offset)} />
                </div>
            }
            if let Some(e) = &v.same_event {
                <SameEventView event={e.clone()} offset={v.offset}
                    show_json={v.read.deserializer == ksim::SerdeFormat::Avro} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SameEventProps {
    event: Rc<ksim::same_event::SameEvent>,
    offset: i64,
    /// Whether to write out the JSON form (not when the value already is that JSON).
    show_json: bool,
}

/// "The same event as JSON, side by side": bytes per record in each format, and on request the
/// core's batch of 1,000 such events per codec (`SameEvent::batch_of_such_events`).
#[function_component(SameEventView)]
fn same_event_view(p: &SameEventProps) -> Html {
    let batch = use_state(|| None::<Rc<ksim::same_event::BatchOfSuchEvents>>);
    let e = &p.event;
    let percent = |a: usize, b: usize| {
        if b == 0 {
            "–".to_string()
        } else {
            format!("{:.0} %", 100.0 * a as f64 / b as f64)
        }
    };
    let measure = {
        let (batch, e) = (batch.clone(), e.clone());
        Callback::from(move |_: MouseEvent| batch.set(Some(Rc::new(e.batch_of_such_events()))))
    };
    let written = |asked: Codec, written: Codec| {
        if asked == written {
            String::new()
        } else {
            " (sent uncompressed: compressing made it larger)".to_string()
        }
    };
    html! {
        <div class="same-event" role="group" aria-label={format!("Offset {} in both formats", p.offset)}>
            <h4>{ "The same event in both formats" }</h4>
            <table class="fields same-event-sizes">
                <caption class="sr-only">{ format!("Offset {}: bytes per record as JSON and as Avro", p.offset) }</caption>
                <thead><tr><th scope="col">{ "format" }</th><th scope="col">{ "bytes per record" }</th></tr></thead>
                <tbody>
                    <tr><th scope="row">{ "JSON (json.dumps)" }</th><td>{ format!("{} B", e.json_bytes) }</td></tr>
                    <tr><th scope="row">{ format!("Avro, schema id {} ({})", e.schema_id, e.subject) }</th>
                        <td>{ format!("{} B — {} of the JSON", e.avro_bytes, percent(e.avro_bytes, e.json_bytes)) }</td></tr>
                </tbody>
            </table>
            if p.show_json {
                <p class="mono decoded" aria-label="The same event as JSON">{ e.json_text.clone() }</p>
            }
            <p class="hint">{ "Avro leaves out the field names and writes numbers as varints; the 5-byte header names the schema instead. JSON repeats every name in every record." }</p>
            if let Some(b) = &*batch {
                <div class="table-scroll">
                    <table class="fields batch-of-events">
                        <caption>{ format!("A batch of {} such events (one record batch v2 per codec, this producer's compression)", number(b.events as f64)) }</caption>
                        <thead><tr>
                            <th scope="col">{ "codec" }</th>
                            <th scope="col">{ "JSON batch" }</th>
                            <th scope="col">{ "Avro batch" }</th>
                            <th scope="col">{ "Avro / JSON" }</th>
                        </tr></thead>
                        <tbody>
                            <tr class="muted"><th scope="row">{ "values alone" }</th>
                                <td>{ format!("{} B", number(b.json_values_bytes as f64)) }</td>
                                <td>{ format!("{} B", number(b.avro_values_bytes as f64)) }</td>
                                <td>{ percent(b.avro_values_bytes, b.json_values_bytes) }</td></tr>
                            { for b.rows.iter().map(|r| html! {
                                <tr>
                                    <th scope="row">{ r.codec.name() }</th>
                                    <td>{ format!("{} B{}", number(r.json_batch_bytes as f64), written(r.codec, r.json_written)) }</td>
                                    <td>{ format!("{} B{}", number(r.avro_batch_bytes as f64), written(r.codec, r.avro_written)) }</td>
                                    <td>{ percent(r.avro_batch_bytes, r.json_batch_bytes) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
                <p class="hint">{ "Made from this event as real traffic varies: ids ending in digits are numbered 0–999, timestamps move a second apart, amounts vary (seeded); other fields stay as they are. Compression narrows the gap — the names JSON repeats compress well — but Avro stays smaller. A real producer splits this many bytes where batch.size says (librdkafka 1,000,000 B, Java 16,384 B)." }</p>
            } else {
                <button class="small" onclick={measure}>{ "Batch 1,000 such events per codec" }</button>
            }
        </div>
    }
}

/// A batch whose record bytes were dropped: the sentence the partition log says, and the header
/// fields the core still keeps (no hex: there are no bytes to show).
fn dropped_batch(h: &BatchView) -> Html {
    let producer = if h.producer_id >= 0 {
        vec![
            ("producerId", h.producer_id.to_string()),
            ("producerEpoch", h.producer_epoch.to_string()),
            ("baseSequence", h.base_sequence.to_string()),
        ]
    } else {
        vec![("producerId", "-1 (not idempotent)".to_string())]
    };
    let fields: Vec<(&str, String)> = [
        ("baseOffset", h.base_offset.to_string()),
        ("lastOffset", h.last_offset.to_string()),
        ("records", h.records.to_string()),
        ("size stored", format!("{} B", h.size_bytes)),
        ("codec", h.codec.clone()),
        ("partitionLeaderEpoch", h.leader_epoch.to_string()),
        ("maxTimestamp", h.max_timestamp_ms.to_string()),
    ]
    .into_iter()
    .chain(producer)
    .chain(h.recompressed.then(|| {
        (
            "recompressed",
            "yes, by the broker (topic compression.type)".to_string(),
        )
    }))
    .collect();
    html! {
        <>
        <p class="storage-note">{ crate::retention::dropped_sentence(h.base_offset, h.last_offset) }</p>
        <p class="hint">{ "The playground keeps this batch's offsets and size, not its bytes: there is no hex view or record list. With a higher “Record bytes budget” (Settings › Cluster configuration) the run replays and keeps them." }</p>
        <table aria-label="Batch header fields" class="fields header-fields">
            <thead><tr><th scope="col">{ "field" }</th><th scope="col">{ "value" }</th></tr></thead>
            <tbody>
            { for fields.into_iter().map(|(name, value)| html! {
                <tr><td class="mono">{ name }</td><td class="text">{ value }</td></tr>
            }) }
            </tbody>
        </table>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct BatchBytesProps {
    bytes: Rc<Vec<u8>>,
}

/// A batch's bytes: hex view, fields, records section and the codec comparison.
#[function_component(BatchBytes)]
fn batch_bytes(p: &BatchBytesProps) -> Html {
    let selected = use_state(|| None::<usize>);
    let selected_rec = use_state(|| None::<usize>);
    let layout = use_memo(p.bytes.clone(), |bytes| {
        layout_batch(bytes, 0, &DecodeLimits::default()).map(|(l, _)| l)
    });
    let rows = use_memo(p.bytes.clone(), |bytes| compare_codecs(bytes));
    match &*layout {
        Err(e) => html! { <p class="field-error">{ e.to_string() }</p> },
        Ok(l) => {
            let fields = Rc::new(l.fields.clone());
            let rec_fields = Rc::new(l.records.clone());
            let rec_bytes = Rc::new(l.records_bytes.clone());
            let compressed = l.codec != Codec::None;
            let uncompressed = rows
                .iter()
                .find(|r| r.codec == Codec::None)
                .and_then(|r| r.size_bytes);
            let sel = {
                let s = selected.clone();
                Callback::from(move |i| s.set(i))
            };
            let sel_rec = {
                let s = selected_rec.clone();
                Callback::from(move |i| s.set(i))
            };
            html! {
                <>
                <p class="stat-line">
                    <span>{ format!("{} B stored", p.bytes.len()) }</span>
                    <span>{ format!("codec {}", l.codec.name()) }</span>
                    <span>{ format!("{} record(s), {} B before compression", l.header.records_count, l.records_bytes.len()) }</span>
                    <span class={classes!("pill", (!l.crc_valid).then_some("bad"))}>{ if l.crc_valid { "CRC-32C valid" } else { "CRC-32C mismatch" } }</span>
                </p>
                <div class="legend" aria-hidden="true">
                    <span class="g-header">{ "header" }</span><span class="g-record">{ "record field" }</span>
                    <span class="g-framing">{ "codec framing" }</span><span class="g-payload">{ "compressed payload" }</span>
                </div>
                <div class="inspector-grid">
                    <HexView bytes={p.bytes.clone()} fields={fields.clone()} selected={*selected} on_select={sel.clone()} label="Batch bytes (hex)" />
                    <FieldTable fields={fields} selected={*selected} on_select={sel} label="Batch fields" />
                </div>
                if compressed {
                    <h3>{ format!("Records section after {} decompression", l.codec.name()) }</h3>
                    <div class="inspector-grid">
                        <HexView bytes={rec_bytes} fields={rec_fields.clone()} selected={*selected_rec} on_select={sel_rec.clone()} label="Decompressed records (hex)" />
                        <FieldTable fields={rec_fields} selected={*selected_rec} on_select={sel_rec} label="Record fields" />
                    </div>
                }
                <h3>{ "The same records with each codec" }</h3>
                <table aria-label="Codec comparison">
                    <thead><tr><th scope="col">{ "compression.type" }</th><th class="num" scope="col">{ "batch size" }</th><th class="num" scope="col">{ "vs none" }</th>
                        <th class="num" scope="col" title="modelled, see below">{ "compress" }</th><th class="num" scope="col" title="modelled, see below">{ "decompress" }</th><th scope="col">{ "note" }</th></tr></thead>
                    <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr class={classes!((r.codec == l.codec).then_some("current"))}>
                            <td>{ r.codec.name() }{ if r.codec == l.codec { " (this batch)" } else { "" } }</td>
                            <td class="num">{ r.size_bytes.map_or("–".into(), |s| format!("{s} B")) }</td>
                            <td class="num">{ match (r.size_bytes, uncompressed) { (Some(s), Some(u)) if s > 0 => format!("{:.2}×", u as f64 / s as f64), _ => "–".into() } }</td>
                            { {
                                let (encode_us, decode_us) = kwire::codec::cost::modelled_cost_us(r.codec, l.records_bytes.len());
                                html! { <><td class="num">{ duration(encode_us) }</td><td class="num">{ duration(decode_us) }</td></> }
                            } }
                            <td class="hint">{ &r.note }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                <p class="hint">{ "Sizes are real encodings by this playground's pure-Rust codecs (gzip: miniz_oxide, snappy: snap, lz4: our own block compressor in Kafka's frame, zstd: ruzstd at about level 1); librdkafka's C libraries produce different, similar-sized bytes." }</p>
                <p class="hint">{ "Compress and decompress times are modelled, not measured: this batch's records section divided by single-core speeds published by lzbench 1.9 (one core of an AMD EPYC 9554, Silesia corpus) for the libraries real clients use at their default settings — zlib level 6, snappy 1.1.10, lz4 1.9.3, zstd level 2 (the nearest listed to the default level 3). They show which codec costs more CPU, and roughly how much. A 3.6 broker pays too: it decompresses each compressed batch to check its records, and compresses again when the topic's compression.type differs from the batch's codec." }</p>
                </>
            }
        }
    }
}
