//! The baseline's fields, in one table. Validation, completeness, the OpenAPI
//! schema of each section and the PWA's form are all read from it, so a field
//! cannot be required in one place and missing from another.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A part of the baseline, saved on its own so a long form can be resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Identity,
    Safeguarding,
    Academic,
    Behaviour,
    Strategies,
    Medical,
    Contacts,
}

impl Section {
    pub const ALL: &'static [Section] = &[
        Section::Identity,
        Section::Safeguarding,
        Section::Academic,
        Section::Behaviour,
        Section::Strategies,
        Section::Medical,
        Section::Contacts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Identity => "identity",
            Section::Safeguarding => "safeguarding",
            Section::Academic => "academic",
            Section::Behaviour => "behaviour",
            Section::Strategies => "strategies",
            Section::Medical => "medical",
            Section::Contacts => "contacts",
        }
    }

    pub fn parse(name: &str) -> Option<Section> {
        Section::ALL.iter().copied().find(|s| s.as_str() == name)
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Identity => "Identity",
            Section::Safeguarding => "Safeguarding",
            Section::Academic => "Learning and SEN",
            Section::Behaviour => "Behaviour triggers",
            Section::Strategies => "Strategies that work",
            Section::Medical => "Medical needs",
            Section::Contacts => "Contacts",
        }
    }

    pub fn fields(self) -> impl Iterator<Item = &'static FieldSpec> {
        FIELDS.iter().filter(move |f| f.section == self)
    }
}

/// What a field holds, and so how it is checked and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text up to `max` characters; `long` ones get a text area.
    Text { max: usize, long: bool },
    /// A calendar date, `YYYY-MM-DD`, not in the future.
    PastDate,
    /// A UPN with a valid check letter (temporary UPNs allowed).
    Upn,
    /// Yes or no; unanswered until someone says which.
    YesNo,
    /// One of a fixed list of `(value, label)` pairs.
    Choice(&'static [(&'static str, &'static str)]),
    /// A list of short items (an empty list is an answer: "none").
    List { max_items: usize, max_len: usize },
    /// One person to call: name, relationship, phone.
    Contact,
    /// Further people, each with optional email and parental responsibility.
    Contacts,
    /// Attendance at the previous school, as the CTF reports it.
    AttendanceSummary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub section: Section,
    pub key: &'static str,
    pub label: &'static str,
    /// Help shown under the input.
    pub hint: &'static str,
    pub kind: Kind,
    /// The gate stays shut until every required field has an answer.
    pub required: bool,
}

impl FieldSpec {
    /// `section.key`: the name stored in D1 and used in the history.
    pub fn id(&self) -> String {
        format!("{}.{}", self.section.as_str(), self.key)
    }
}

/// SEN provision as the DfE codes it (N, K, E) in the census and the CTF.
pub const SEN_STATUS: &[(&str, &str)] = &[
    ("no_sen", "No special educational need"),
    ("sen_support", "SEN support"),
    ("ehc_plan", "Education, health and care plan"),
];

const NAME: Kind = Kind::Text {
    max: 100,
    long: false,
};
const SHORT: Kind = Kind::Text {
    max: 60,
    long: false,
};
const NOTE: Kind = Kind::Text {
    max: 2000,
    long: true,
};
const ITEMS: Kind = Kind::List {
    max_items: 30,
    max_len: 300,
};

const fn field(
    section: Section,
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    kind: Kind,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        section,
        key,
        label,
        hint,
        kind,
        required,
    }
}

use Section::{Academic, Behaviour, Contacts, Identity, Medical, Safeguarding, Strategies};

pub const FIELDS: &[FieldSpec] = &[
    field(Identity, "first_name", "Legal first name", "", NAME, true),
    field(Identity, "last_name", "Legal last name", "", NAME, true),
    field(
        Identity,
        "preferred_name",
        "Preferred name",
        "What the pupil likes to be called, if different",
        NAME,
        false,
    ),
    field(
        Identity,
        "date_of_birth",
        "Date of birth",
        "",
        Kind::PastDate,
        true,
    ),
    field(
        Identity,
        "upn",
        "Unique pupil number (UPN)",
        "13 characters, starting with a letter; a temporary UPN ends in a letter",
        Kind::Upn,
        true,
    ),
    field(
        Safeguarding,
        "child_protection_plan",
        "Child protection plan",
        "",
        Kind::YesNo,
        true,
    ),
    field(
        Safeguarding,
        "child_in_need",
        "Child in need",
        "",
        Kind::YesNo,
        true,
    ),
    field(
        Safeguarding,
        "looked_after",
        "Looked-after child",
        "",
        Kind::YesNo,
        true,
    ),
    field(
        Safeguarding,
        "known_risks",
        "Known risks",
        "Write \"none known\" if there are none",
        NOTE,
        true,
    ),
    field(
        Safeguarding,
        "not_to_collect",
        "People who may not collect the pupil",
        "One per line, with the reason; leave empty and save if there is no one",
        ITEMS,
        true,
    ),
    field(
        Academic,
        "reading_age",
        "Reading age",
        "For example 9 years 6 months, with the test and date if known",
        SHORT,
        true,
    ),
    field(
        Academic,
        "english_level",
        "English working level",
        "",
        SHORT,
        true,
    ),
    field(
        Academic,
        "maths_level",
        "Maths working level",
        "",
        SHORT,
        true,
    ),
    field(
        Academic,
        "sen_status",
        "SEN status",
        "",
        Kind::Choice(SEN_STATUS),
        true,
    ),
    field(
        Academic,
        "sen_needs",
        "SEN needs",
        "Primary need first, for example SEMH or SLCN",
        ITEMS,
        false,
    ),
    field(
        Academic,
        "ehcp_details",
        "EHCP details",
        "Issuing LA, date of the last annual review, key outcomes",
        NOTE,
        false,
    ),
    field(
        Academic,
        "prior_attendance",
        "Attendance at the previous school",
        "Filled from the CTF",
        Kind::AttendanceSummary,
        false,
    ),
    field(
        Behaviour,
        "triggers",
        "Known behaviour triggers",
        "One per line; leave empty and save if none are known",
        ITEMS,
        true,
    ),
    field(
        Behaviour,
        "warning_signs",
        "Early warning signs",
        "",
        NOTE,
        false,
    ),
    field(
        Strategies,
        "known_to_work",
        "Strategies known to work",
        "One per line",
        ITEMS,
        true,
    ),
    field(
        Strategies,
        "to_avoid",
        "Approaches to avoid",
        "One per line",
        ITEMS,
        false,
    ),
    field(
        Medical,
        "needs",
        "Medical needs",
        "Conditions and what staff must do; write \"none\" if there are none",
        NOTE,
        true,
    ),
    field(Medical, "medication", "Medication", "", NOTE, false),
    field(Medical, "allergies", "Allergies", "", ITEMS, false),
    field(
        Contacts,
        "emergency",
        "Emergency contact",
        "Who to call first if the pupil does not arrive",
        Kind::Contact,
        true,
    ),
    field(
        Contacts,
        "others",
        "Other contacts",
        "",
        Kind::Contacts,
        false,
    ),
];

/// The field stored under `id` (`section.key`).
pub fn by_id(id: &str) -> Option<&'static FieldSpec> {
    let (section, key) = id.split_once('.')?;
    let section = Section::parse(section)?;
    FIELDS.iter().find(|f| f.section == section && f.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_resolve() {
        let mut seen = std::collections::HashSet::new();
        for f in FIELDS {
            assert!(seen.insert(f.id()), "{} twice", f.id());
            assert_eq!(by_id(&f.id()), Some(f));
        }
        assert_eq!(by_id("identity.nope"), None);
        assert_eq!(by_id("nope.upn"), None);
    }

    #[test]
    fn every_section_has_a_required_field() {
        for &s in Section::ALL {
            assert!(s.fields().any(|f| f.required), "{s:?}");
            assert_eq!(Section::parse(s.as_str()), Some(s));
        }
    }
}
