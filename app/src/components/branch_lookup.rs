//! The one island of the claim form: as a person types a branch number or
//! name, it lists matching branches of the chosen bank; choosing one fills in
//! the 3-digit code. Without JavaScript the field still takes a code or a
//! name, and the server resolves it.

use leptos::prelude::*;

use crate::api::common::BranchOption;

/// `bank_field` and `branch_field` are the ids of the bank select and the
/// branch input of one debit line. Texts come translated (islands have no
/// server context in the browser).
#[island]
pub fn BranchLookup(
    bank_field: String,
    branch_field: String,
    found_text: String,
    choose_text: String,
) -> impl IntoView {
    let (options, set_options) = signal(Vec::<BranchOption>::new());
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let latest = std::rc::Rc::new(std::cell::Cell::new(0u32));
        let (bank_id, branch_id) = (bank_field.clone(), branch_field.clone());
        let handle = window_event_listener(leptos::ev::input, move |ev| {
            let Some(target) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            else {
                return;
            };
            if target.id() != branch_id && target.id() != bank_id {
                return;
            }
            let value_of = |id: &str| -> String {
                let Some(el) = document().get_element_by_id(id) else {
                    return String::new();
                };
                if let Some(select) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
                    select.value()
                } else if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                    input.value()
                } else {
                    String::new()
                }
            };
            let (bank, q) = (value_of(&bank_id), value_of(&branch_id));
            let ticket = latest.get() + 1;
            latest.set(ticket);
            let latest = latest.clone();
            let path = <crate::api::common::BranchSuggestions as leptos::server_fn::ServerFn>::PATH;
            super::fetch::post(path, &[("bank", &bank), ("q", &q)], move |answer| {
                let found = answer
                    .map(|a| super::fetch::items(&a))
                    .unwrap_or_default()
                    .iter()
                    .map(|o| BranchOption {
                        code: super::fetch::text(o, "code"),
                        name: super::fetch::text(o, "name"),
                    })
                    .collect();
                // Answers can arrive out of order: keep only the newest.
                if latest.get() == ticket {
                    set_options.set(found);
                }
            });
        });
        on_cleanup(move || handle.remove());
    }
    let choose = Callback::new(move |code: String| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            if let Some(input) = document()
                .get_element_by_id(&branch_field)
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                input.set_value(&code);
                let _ = input.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&code, &branch_field, &bank_field);
        set_options.set(Vec::new());
    });
    let found_text = StoredValue::new(found_text);
    let choose_text = StoredValue::new(choose_text);
    view! {
        <div class="suggestions" aria-live="polite">
            <Show when=move || !options.read().is_empty()>
                <p class="hint">{found_text.get_value()}</p>
                <ul class="suggestion-list">
                    <For each=move || options.get() key=|o| o.code.clone() let:o>
                        {
                            let code = o.code.clone();
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="suggestion"
                                        aria-label=format!("{} {} ({})", choose_text.get_value(), o.name, o.code)
                                        on:click=move |_| choose.run(code.clone())
                                    >
                                        {format!("{} ({})", o.name, o.code)}
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
