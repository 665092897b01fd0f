//! Domain values: each is parsed once at the edge and trusted afterwards.

mod email;
mod tier;

pub use email::EmailAddress;
pub use tier::Tier;
