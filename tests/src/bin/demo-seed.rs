//! Prints the demo seed SQL for today's date in Europe/London.
fn main() {
    let today = lt_core::london::local_date(chrono::Utc::now());
    print!("{}", lt_tests::demo::seed_sql(today));
}
