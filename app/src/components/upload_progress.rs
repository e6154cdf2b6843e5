//! Upload progress: with JavaScript, the evidence form is sent by
//! XMLHttpRequest so the page can show how far the upload has got. Without
//! JavaScript the form posts as it is (the browser shows its own progress).
//! Files over the size limit are stopped before they are sent; the server
//! checks again either way.

use leptos::prelude::*;

/// `form_id` is the id of the upload form. Texts come translated.
#[island]
pub fn UploadProgress(
    form_id: String,
    sending_text: String,
    failed_text: String,
    too_large_text: String,
    max_bytes: u64,
) -> impl IntoView {
    let (percent, set_percent) = signal(None::<u32>);
    let (message, set_message) = signal(String::new());
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::wasm_bindgen::closure::Closure;
        let failed = failed_text.clone();
        // Marks the form as enhanced: uploads from now on show progress.
        if let Some(form) = document().get_element_by_id(&form_id) {
            let _ = form.set_attribute("data-enhanced", "true");
        }
        let handle = window_event_listener(leptos::ev::submit, move |ev| {
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            if form.id() != form_id {
                return;
            }
            // A file over the limit is not worth sending: say so at once.
            let size = form
                .query_selector("input[type=file]")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files())
                .and_then(|f| f.get(0))
                .map(|f| f.size() as u64);
            if size.is_some_and(|s| s > max_bytes) {
                ev.prevent_default();
                set_percent.set(None);
                set_message.set(too_large_text.clone());
                return;
            }
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
                return;
            };
            if xhr.open("POST", &form.action()).is_err() {
                return;
            }
            ev.prevent_default();
            set_message.set(String::new());
            set_percent.set(Some(0));
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
                move |p: web_sys::ProgressEvent| {
                    if p.length_computable() && p.total() > 0.0 {
                        set_percent.set(Some((p.loaded() / p.total() * 100.0) as u32));
                    }
                },
            );
            if let Ok(upload) = xhr.upload() {
                upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            }
            on_progress.forget();
            let done_xhr = xhr.clone();
            let done_form = form.clone();
            let failed = failed.clone();
            let on_done = Closure::<dyn FnMut()>::new(move || {
                let status = done_xhr.status().unwrap_or(0);
                if (200..300).contains(&status) {
                    // The server answered with a redirect the request
                    // followed: go where it pointed.
                    let _ = window().location().set_href(&done_xhr.response_url());
                } else if status == 0 {
                    set_percent.set(None);
                    set_message.set(failed.clone());
                } else {
                    // An error page with the message next to the field: send
                    // the form the plain way so the browser shows it.
                    let _ = done_form.submit();
                }
            });
            xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
            on_done.forget();
            if xhr.send_with_opt_form_data(Some(&data)).is_err() {
                set_percent.set(None);
                set_message.set(failed_text.clone());
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (
        &form_id,
        &failed_text,
        &set_percent,
        &set_message,
        &too_large_text,
        max_bytes,
    );
    let sending_text = StoredValue::new(sending_text);
    view! {
        <div class="upload-progress" aria-live="polite">
            <Show when=move || percent.get().is_some()>
                <label for="upload-progress-bar">{sending_text.get_value()}</label>
                <progress
                    id="upload-progress-bar"
                    max="100"
                    value=move || percent.get().unwrap_or(0).to_string()
                >
                    {move || format!("{}%", percent.get().unwrap_or(0))}
                </progress>
                <span>{move || format!(" {}%", percent.get().unwrap_or(0))}</span>
            </Show>
            <Show when=move || !message.get().is_empty()>
                <p class="error-message">{move || message.get()}</p>
            </Show>
        </div>
    }
}
