//! Light / dark / system theme. "System" follows `prefers-color-scheme`; a choice is stored in
//! `localStorage` (never inside an embed) and applied by an inline script in index.html before
//! the first paint, so there is no white flash.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

const STORAGE_KEY: &str = "kplay-theme";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn parse(s: &str) -> Theme {
        match s {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// The theme on the `<html data-theme>` attribute (set by index.html from storage or `?theme=`).
    pub fn load() -> Theme {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("data-theme"))
            .map_or(Theme::System, |t| Theme::parse(&t))
    }

    /// Sets the attribute and remembers the choice (unless embedded).
    pub fn apply_and_store(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(el) = window.document().and_then(|d| d.document_element()) {
            let _ = match self {
                Theme::System => el.remove_attribute("data-theme"),
                t => el.set_attribute("data-theme", t.name()),
            };
        }
        if crate::embed::is_embedded() {
            return;
        }
        if let Ok(Some(storage)) = window.local_storage() {
            let _ = storage.set_item(STORAGE_KEY, self.name());
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ThemeSwitchProps {
    pub theme: Theme,
    pub on_change: Callback<Theme>,
}

#[function_component(ThemeSwitch)]
pub fn theme_switch(p: &ThemeSwitchProps) -> Html {
    let onchange = {
        let cb = p.on_change.clone();
        Callback::from(move |e: Event| {
            cb.emit(Theme::parse(
                &e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        })
    };
    html! {
        <div class="theme">
            <label for="theme">{ "Theme" }</label>
            <select id="theme" {onchange}>
                { for [Theme::System, Theme::Light, Theme::Dark].iter().map(|t| html! {
                    <option value={t.name()} selected={*t == p.theme}>{ t.name() }</option>
                }) }
            </select>
        </div>
    }
}
