//! The signed-in app; the shell starts it (see `shell.rs`).

fn main() {
    yew::Renderer::<lt_pwa::App>::new().render();
}
