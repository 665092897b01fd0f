mod sign_in;
mod today;

pub use sign_in::SignIn;
pub use today::TodayPage;
