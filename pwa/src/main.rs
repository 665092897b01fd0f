//! The signed-in app; the shell starts it (see `shell.rs`).

fn main() {
    lt_pwa::register_service_worker();
    yew::Renderer::<lt_pwa::App>::new().render();
}
