//! Domain values: each is parsed once at the edge and trusted afterwards.

mod email;
mod organisation;
mod phone;
mod tier;
mod upn;

pub use email::EmailAddress;
pub use organisation::OrganisationKind;
pub use phone::parse_uk_mobile;
pub use tier::Tier;
pub use upn::{Upn, check_letter as upn_check_letter};
