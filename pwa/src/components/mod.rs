mod field;
mod nav;

pub use field::{Field, input_value};
pub use nav::Nav;
