//! What a first visit downloads: sign-in, invitations and password resets.

fn main() {
    lt_pwa::shell::start();
}
