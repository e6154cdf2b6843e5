//! The WebAssembly entry: hydrates the interactive islands of a page. Kept
//! apart from `app` so the server build never links a cdylib.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Link the app crate (its islands register themselves).
    use app as _;
    // A panic's message in the console; the small release build aborts at
    // once instead (`scripts/build-site.sh`: the hook could never run).
    #[cfg(feature = "panic-messages")]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
