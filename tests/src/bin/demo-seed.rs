//! Prints the demo seed SQL for today's date in Europe/London; with
//! `--sign-ins` the demo people to sign in as; with `--vapid-key` a new
//! VAPID private key for this machine's local server.
use lt_tests::demo;

fn main() {
    if std::env::args().any(|a| a == "--sign-ins") {
        println!("  Demo sign-ins (password for all: {})", demo::PASSWORD);
        for p in demo::PEOPLE {
            let role = lt_core::access::Role::parse(p.role).map_or(p.role, |r| r.label());
            println!("    {role:<30} {}", p.email);
        }
        return;
    }
    if std::env::args().any(|a| a == "--vapid-key") {
        println!("{}", lt_tests::push::new_vapid_key());
        return;
    }
    let today = lt_core::london::local_date(chrono::Utc::now());
    print!("{}", demo::seed_sql(today));
}
