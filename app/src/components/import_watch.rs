//! While a large bank list is worked through in the background, its page
//! shows how far it has got; with JavaScript the figure moves by itself and
//! the page reloads with the report when the import is done. Without
//! JavaScript the page offers a link to look again.

use leptos::prelude::*;

/// The islands the claimant's browser build leaves out (each built with
/// `staff-islands` only): a page holding one loads the whole build.
pub const STAFF_ISLANDS: &[&str] = &["ImportWatch"];

/// `progress_text` holds `%{done}` and `%{total}`; texts come translated.
/// A bank page's island: the claimant's smaller browser build (without
/// `staff-islands`) leaves it out, and the island loader gives a page that
/// holds it the whole build (`island_loader.js`).
#[cfg_attr(any(not(feature = "hydrate"), feature = "staff-islands"), island)]
#[cfg_attr(all(feature = "hydrate", not(feature = "staff-islands")), component)]
pub fn ImportWatch(id: String, done: i64, total: i64, progress_text: String) -> impl IntoView {
    let (done, set_done) = signal(done);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                let id = id.clone();
                let path = <crate::api::bank::PollImport as leptos::server_fn::ServerFn>::PATH;
                super::fetch::post(path, &[("id", &id)], move |answer| {
                    let Some(summary) = answer else { return };
                    if super::fetch::text(&summary, "status") != "processing" {
                        let _ = window().location().reload();
                    } else if let Some(done) = super::fetch::whole(&summary, "done") {
                        set_done.set(done);
                    }
                });
            },
            std::time::Duration::from_secs(1),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, set_done);
    let text = move || {
        progress_text
            .replace("%{done}", &done.get().to_string())
            .replace("%{total}", &total.to_string())
    };
    view! {
        <div class="import-progress" data-watching="true">
            <progress max=total.max(1) value=move || done.get() aria-label=text.clone()></progress>
            <p role="status" aria-live="polite">{text}</p>
        </div>
    }
}
