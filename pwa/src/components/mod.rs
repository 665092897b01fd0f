mod field;
mod nav;
mod new_password;

pub use field::{Field, input_value};
pub use nav::Nav;
pub use new_password::{NewPassword, confirmed};
