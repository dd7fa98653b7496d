//! A labelled input with its error message next to it (`aria-invalid` + `aria-describedby`).

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// Unique id of the input element.
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub on_input: Callback<String>,
    #[prop_or_default]
    pub error: Option<String>,
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub min: Option<AttrValue>,
}

#[function_component(Field)]
pub fn field(p: &FieldProps) -> Html {
    let on_input = {
        let cb = p.on_input.clone();
        Callback::from(move |e: InputEvent| {
            cb.emit(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let error_id = format!("{}-error", p.id);
    let hint_id = format!("{}-hint", p.id);
    let described = match (&p.error, &p.hint) {
        (Some(_), _) => Some(error_id.clone()),
        (None, Some(_)) => Some(hint_id.clone()),
        _ => None,
    };
    html! {
        <div class="field">
            <label for={p.id.clone()}>{ &p.label }</label>
            <input id={p.id.clone()} type={p.input_type.clone()} value={p.value.clone()} oninput={on_input}
                min={p.min.clone()}
                aria-invalid={if p.error.is_some() { "true" } else { "false" }}
                aria-describedby={described} />
            if let Some(err) = &p.error {
                <div class="field-error" id={error_id}>{ err }</div>
            } else if let Some(hint) = &p.hint {
                <div class="hint" id={hint_id}>{ hint }</div>
            }
        </div>
    }
}
