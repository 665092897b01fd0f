//! Domain values: each is parsed once at the edge and trusted afterwards.

mod email;
mod organisation;
mod tier;

pub use email::EmailAddress;
pub use organisation::OrganisationKind;
pub use tier::Tier;
