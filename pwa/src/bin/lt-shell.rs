//! What a first visit downloads: sign-in, invitations and password resets.

fn main() {
    lt_pwa::register_service_worker();
    lt_pwa::shell::start();
}
