//! The WebAssembly entry: hydrates the interactive islands of a page. Kept
//! apart from `app` so the server build never links a cdylib.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Link the app crate (its islands register themselves).
    use app as _;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
