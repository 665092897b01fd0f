mod baseline_form;
mod field;
mod nav;
mod new_password;
mod progress;
mod reach;
mod register;
mod run;
mod update;

pub use baseline_form::SectionForm;
pub use field::{Field, input_value, textarea_value};
pub use nav::Nav;
pub use new_password::{NewPassword, confirmed};
pub use progress::ProgressForm;
pub use reach::Reach;
pub use register::{Register, describe as describe_mark};
pub use run::Run;
pub use update::UpdateBanner;
