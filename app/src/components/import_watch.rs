//! While a large bank list is worked through in the background, its page
//! shows how far it has got; with JavaScript the figure moves by itself and
//! the page reloads with the report when the import is done. Without
//! JavaScript the page offers a link to look again.

use leptos::prelude::*;

/// `progress_text` holds `%{done}` and `%{total}`; texts come translated.
#[island]
pub fn ImportWatch(id: String, done: i64, total: i64, progress_text: String) -> impl IntoView {
    let (done, set_done) = signal(done);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                let id = id.clone();
                leptos::task::spawn_local(async move {
                    match crate::api::bank::poll_import(id).await {
                        Ok(s) if s.status != "processing" => {
                            let _ = window().location().reload();
                        }
                        Ok(s) => set_done.set(s.done),
                        Err(_) => {}
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
