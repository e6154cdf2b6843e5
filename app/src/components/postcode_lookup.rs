//! The address lookup of a Japanese form: from the 7-digit postcode to the
//! prefecture, city and town. Without JavaScript a "find the address"
//! button posts the form, and the page comes back with the address filled
//! in (or the postcode's areas to choose from), nothing saved. With it, an
//! island fills the address as the postcode is typed, and only when the
//! address is empty or was filled by the lookup: it never overwrites what
//! the person wrote.

use leptos::prelude::*;

use super::{use_form, use_lang};

/// The field name of a no-JavaScript lookup's button, and of a chosen area.
pub const FIND: &str = "find_address";
pub const USE: &str = "use_address";
/// Where the handler puts the areas to choose from (one a line).
pub const CHOICES: &str = "address_choices";

/// The button, what the last lookup found, and the island. Goes between
/// the postcode field and the address field of a form.
#[component]
pub fn PostcodeFinder(postcode_field: &'static str, address_field: &'static str) -> impl IntoView {
    let lang = use_lang();
    let form = use_form();
    let choices: Vec<String> = form
        .value(CHOICES)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let use_text = lang.t("address_use");
    view! {
        <div class="postcode-finder">
            <button type="submit" name=FIND value="1" class="button button-secondary" formnovalidate>
                {lang.t("find_address")}
            </button>
            {form.message.clone().map(|m| view! { <p class="notice" role="status">{m}</p> })}
            {(!choices.is_empty())
                .then(|| {
                    view! {
                        <ul class="suggestion-list" aria-label=lang.t("address_choices")>
                            {choices
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <li>
                                            <button
                                                type="submit"
                                                class="suggestion"
                                                name=USE
                                                value=c.clone()
                                                formnovalidate
                                                aria-label=format!("{use_text} {c}")
                                            >
                                                {c.clone()}
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            <PostcodeLookup
                postcode_field=postcode_field.to_owned()
                address_field=address_field.to_owned()
                found_text=lang.t("address_found")
                choose_text=lang.t("address_choose")
                unknown_text=lang.t("postal_code_unknown")
                use_text=lang.t("address_use")
            />
        </div>
    }
}

/// As the postcode is typed: 7 digits look the address up; one area fills
/// an empty (or lookup-filled) address field, several are offered as
/// buttons. Texts come translated (islands have no server context in the
/// browser).
#[island]
pub fn PostcodeLookup(
    postcode_field: String,
    address_field: String,
    found_text: String,
    choose_text: String,
    unknown_text: String,
    use_text: String,
) -> impl IntoView {
    let (said, set_said) = signal(String::new());
    let (options, set_options) = signal(Vec::<String>::new());
    // What the lookup last wrote into the address field.
    let filled = StoredValue::new(String::new());
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let latest = std::rc::Rc::new(std::cell::Cell::new(0u32));
        let looked_up = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
        let (found_text, choose_text, unknown_text) = (
            found_text.clone(),
            choose_text.clone(),
            unknown_text.clone(),
        );
        let address_id = address_field.clone();
        // The field says the lookup listens (tests wait for it).
        if let Some(field) = document().get_element_by_id(&postcode_field) {
            let _ = field.set_attribute("data-lookup", "on");
        }
        let handle = window_event_listener(leptos::ev::input, move |ev| {
            let Some(input) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            if input.id() != postcode_field {
                return;
            }
            let Ok(code) = crate::domain::answers::parse_postal_code(&input.value()) else {
                looked_up.borrow_mut().clear();
                return;
            };
            if *looked_up.borrow() == code {
                return;
            }
            *looked_up.borrow_mut() = code.clone();
            let ticket = latest.get() + 1;
            latest.set(ticket);
            let latest = latest.clone();
            let (found_text, choose_text, unknown_text) = (
                found_text.clone(),
                choose_text.clone(),
                unknown_text.clone(),
            );
            let address_id = address_id.clone();
            let path = <crate::api::common::PostcodeAddresses as leptos::server_fn::ServerFn>::PATH;
            super::fetch::post(path, &[("code", &code)], move |answer| {
                let found = answer
                    .map(|a| super::fetch::strings(&a))
                    .unwrap_or_default();
                // Answers can arrive out of order: keep only the newest.
                if latest.get() != ticket {
                    return;
                }
                match found.as_slice() {
                    [] => {
                        set_options.set(Vec::new());
                        set_said.set(unknown_text);
                    }
                    [one] if dom::fill(&address_id, one, filled, false) => {
                        set_options.set(Vec::new());
                        set_said.set(found_text);
                    }
                    _ => {
                        set_options.set(found);
                        set_said.set(choose_text);
                    }
                }
            });
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (&found_text, &choose_text, &unknown_text, &postcode_field);
    let choose = Callback::new(move |address: String| {
        #[cfg(feature = "hydrate")]
        let _ = dom::fill(&address_field, &address, filled, true);
        #[cfg(not(feature = "hydrate"))]
        let _ = (&address, &address_field, filled);
        set_options.set(Vec::new());
        set_said.set(String::new());
    });
    let use_text = StoredValue::new(use_text);
    view! {
        <div class="suggestions" aria-live="polite">
            <Show when=move || !said.read().is_empty()>
                <p class="hint">{move || said.get()}</p>
            </Show>
            <Show when=move || !options.read().is_empty()>
                <ul class="suggestion-list">
                    <For each=move || options.get() key=|o| o.clone() let:o>
                        {
                            let address = o.clone();
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="suggestion"
                                        aria-label=format!("{} {}", use_text.get_value(), o)
                                        on:click=move |_| choose.run(address.clone())
                                    >
                                        {o.clone()}
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod dom {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;

    /// Writes `address` into the address field when it is empty or holds
    /// what the lookup wrote last (always when `chosen`: a person's click);
    /// says whether it did.
    pub fn fill(field: &str, address: &str, filled: StoredValue<String>, chosen: bool) -> bool {
        let Some(input) = document()
            .get_element_by_id(field)
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return false;
        };
        let now = input.value();
        if !(chosen || now.trim().is_empty() || now == filled.get_value()) {
            return false;
        }
        input.set_value(address);
        filled.set_value(address.to_owned());
        if chosen {
            let _ = input.focus();
        }
        true
    }
}
