//! Reading a DfE Common Transfer File (CTF): the XML a school's MIS exports
//! when a pupil moves. What it holds pre-fills the baseline; what it cannot
//! fill stays required. Element names follow the DfE CTF specification
//! (`CTfile` › `Header`, `CTFpupilData` › `Pupil`).

use chrono::NaiveDate;
use roxmltree::{Document, Node, ParsingOptions};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::fields::{FieldSpec, by_id};
use super::values::check_value;
use crate::api::{ErrorCode, ErrorDetail};

/// A CTF for one pupil is tens of kilobytes; a whole year group a few megabytes.
pub const MAX_CTF_BYTES: usize = 2 * 1024 * 1024;

/// What a CTF offers for one pupil's baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct CtfImport {
    /// Checked, canonical values by field.
    pub fills: Vec<(&'static FieldSpec, Value)>,
    /// Values the file had but that could not be used, and why.
    pub skipped: Vec<Skipped>,
    /// The school that sent the file, as its header names it.
    pub source_school: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Skipped {
    /// The CTF element, like `Pupil/UPN`.
    pub element: String,
    pub reason: String,
}

fn wrong(message: impl Into<String>) -> ErrorDetail {
    ErrorDetail::invalid("ctf", message)
}

/// Reads `bytes` as a CTF and picks the pupil: the one whose UPN is `upn`
/// when given and present, else the only pupil in the file.
pub fn read(bytes: &[u8], upn: Option<&str>, today: NaiveDate) -> Result<CtfImport, ErrorDetail> {
    if bytes.len() > MAX_CTF_BYTES {
        return Err(ErrorDetail::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "a CTF may be at most {} MB; export just this pupil from your MIS",
                MAX_CTF_BYTES / (1024 * 1024)
            ),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        wrong(format!(
            "the file is not UTF-8 text (byte {})",
            e.valid_up_to()
        ))
    })?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 500_000,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options)
        .map_err(|e| wrong(format!("the file is not well-formed XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "CTfile" {
        return Err(wrong(format!(
            "this is not a Common Transfer File: its root element is <{}>, not <CTfile>",
            root.tag_name().name()
        )));
    }
    let header = child(root, "Header")
        .ok_or_else(|| wrong("this CTF has no <Header>; it does not follow the CTF schema"))?;
    let data = child(root, "CTFpupilData").ok_or_else(|| {
        wrong("this CTF has no <CTFpupilData>; it does not follow the CTF schema")
    })?;
    let pupils: Vec<Node> = children(data, "Pupil").collect();
    let wanted = upn.map(str::to_ascii_uppercase);
    let pupil = match (pupils.as_slice(), &wanted) {
        ([], _) => return Err(wrong("this CTF holds no pupils")),
        (_, Some(u))
            if pupils
                .iter()
                .any(|p| text_of(*p, "UPN").as_deref() == Some(u)) =>
        {
            pupils
                .iter()
                .copied()
                .find(|p| text_of(*p, "UPN").as_deref() == Some(u))
                .ok_or_else(|| wrong("this CTF holds no pupils"))?
        }
        ([only], _) => *only,
        (many, Some(u)) => {
            return Err(wrong(format!(
                "this CTF holds {} pupils and none has the UPN {u}",
                many.len()
            )));
        }
        (many, None) => {
            return Err(wrong(format!(
                "this CTF holds {} pupils; record the pupil's UPN first so the right one is used",
                many.len()
            )));
        }
    };
    let source_school = child(header, "SourceSchool").and_then(|s| text_of(s, "SchoolName"));
    let mut import = CtfImport {
        fills: Vec::new(),
        skipped: Vec::new(),
        source_school,
    };
    let basic = child(pupil, "BasicDetails");
    let mut offer = |id: &str, element: &str, value: Option<Value>| {
        let (Some(spec), Some(value)) = (by_id(id), value) else {
            return;
        };
        match check_value(spec, &value, spec.key, today) {
            Ok(v) if !v.is_null() => import.fills.push((spec, v)),
            Ok(_) => {}
            Err(e) => import.skipped.push(Skipped {
                element: element.to_owned(),
                reason: e.message,
            }),
        }
    };
    offer(
        "identity.upn",
        "Pupil/UPN",
        text_of(pupil, "UPN").map(Value::String),
    );
    offer(
        "identity.first_name",
        "Pupil/Forename",
        text_of(pupil, "Forename").map(Value::String),
    );
    offer(
        "identity.last_name",
        "Pupil/Surname",
        text_of(pupil, "Surname").map(Value::String),
    );
    offer(
        "identity.date_of_birth",
        "Pupil/DOB",
        text_of(pupil, "DOB").map(Value::String),
    );
    let preferred = basic
        .and_then(|b| text_of(b, "PreferredForename"))
        .filter(|p| Some(p) != text_of(pupil, "Forename").as_ref());
    offer(
        "identity.preferred_name",
        "BasicDetails/PreferredForename",
        preferred.map(Value::String),
    );
    let sen = child(pupil, "SENhistory");
    offer(
        "academic.sen_status",
        "SENhistory/SEN/SENprovision",
        sen.and_then(sen_status),
    );
    offer(
        "academic.sen_needs",
        "SENhistory/SENneeds",
        sen.and_then(sen_needs),
    );
    offer(
        "academic.prior_attendance",
        "Attendance/YearData",
        child(pupil, "Attendance").and_then(attendance),
    );
    let contacts = child(pupil, "Contacts")
        .map(contact_list)
        .unwrap_or_default();
    if let Some(first) = contacts
        .iter()
        .find(|c| c.get("phone").is_some_and(|p| !p.is_null()))
    {
        let emergency = json!({
            "name": first["name"], "relationship": first["relationship"], "phone": first["phone"],
        });
        offer("contacts.emergency", "Contacts/Contact", Some(emergency));
    }
    if !contacts.is_empty() {
        offer("contacts.others", "Contacts", Some(Value::Array(contacts)));
    }
    Ok(import)
}

/// Refuses a file for another child: when the baseline already has a name or
/// date of birth and the file's pupil has a different one, the file is not
/// this pupil's (a UPN match was already required when the UPN is known).
pub fn check_same_pupil(
    import: &CtfImport,
    current: &[(String, Value)],
) -> Result<(), ErrorDetail> {
    let known = |id: &str| {
        current
            .iter()
            .find(|(f, _)| f == id)
            .and_then(|(_, v)| v.as_str())
    };
    let offered = |id: &str| {
        import
            .fills
            .iter()
            .find(|(f, _)| f.id() == id)
            .and_then(|(_, v)| v.as_str())
    };
    let differs = [
        "identity.last_name",
        "identity.first_name",
        "identity.date_of_birth",
    ]
    .iter()
    .any(|id| match (known(id), offered(id)) {
        (Some(a), Some(b)) => !a.eq_ignore_ascii_case(b),
        _ => false,
    });
    if differs {
        return Err(wrong(format!(
            "this CTF is for {} {}, born {}, not the pupil of this placement; check you chose the right file",
            offered("identity.first_name").unwrap_or("?"),
            offered("identity.last_name").unwrap_or("?"),
            offered("identity.date_of_birth").unwrap_or("?"),
        )));
    }
    Ok(())
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &str) -> impl Iterator<Item = Node<'a, 'i>> {
    let name = name.to_owned();
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// The trimmed text of the child element `name`, when it has any.
fn text_of(node: Node, name: &str) -> Option<String> {
    child(node, name)
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The provision of the latest SEN record: N none, K SEN support, E an EHC
/// plan (S, a statement, was replaced by EHC plans and is read as one).
fn sen_status(sen: Node) -> Option<Value> {
    let latest = children(sen, "SEN").max_by_key(|s| text_of(*s, "StartDate"))?;
    let code = text_of(latest, "SENprovision")?;
    let status = match code.as_str() {
        "N" => "no_sen",
        "K" => "sen_support",
        "E" | "S" => "ehc_plan",
        other => other,
    };
    Some(Value::String(status.to_owned()))
}

fn sen_needs(sen: Node) -> Option<Value> {
    let mut needs: Vec<(u32, String)> = child(sen, "SENneeds")
        .into_iter()
        .flat_map(|n| children(n, "SENneed"))
        .filter_map(|n| {
            let rank = text_of(n, "SENtypeRank").and_then(|r| r.parse().ok())?;
            Some((rank, need_label(&text_of(n, "SENtype")?)))
        })
        .collect();
    needs.sort();
    (!needs.is_empty()).then(|| json!(needs.into_iter().map(|(_, n)| n).collect::<Vec<_>>()))
}

/// The DfE's SEN type codes as people say them.
fn need_label(code: &str) -> String {
    let label = match code {
        "SPLD" => "Specific learning difficulty",
        "MLD" => "Moderate learning difficulty",
        "SLD" => "Severe learning difficulty",
        "PMLD" => "Profound and multiple learning difficulty",
        "SEMH" => "Social, emotional and mental health",
        "SLCN" => "Speech, language and communication needs",
        "HI" => "Hearing impairment",
        "VI" => "Visual impairment",
        "MSI" => "Multi-sensory impairment",
        "PD" => "Physical disability",
        "ASD" => "Autistic spectrum disorder",
        "OTH" => "Other difficulty or disability",
        "NSA" => "SEN support but no specialist assessment of type of need",
        _ => return code.to_owned(),
    };
    format!("{label} ({code})")
}

/// The most recent academic year's sessions.
fn attendance(att: Node) -> Option<Value> {
    let year = children(att, "YearData").max_by_key(|y| text_of(*y, "Year"))?;
    let n = |name: &str| text_of(year, name).and_then(|t| t.parse::<u64>().ok());
    let possible = n("SessionsPossible")?;
    let authorised = n("SessionsAuthorised").unwrap_or(0);
    let unauthorised = n("SessionsUnauthorised").unwrap_or(0);
    let attended =
        n("SessionsAttended").unwrap_or_else(|| possible.saturating_sub(authorised + unauthorised));
    Some(json!({
        "academic_year": n("Year")?, "possible": possible, "attended": attended,
        "authorised": authorised, "unauthorised": unauthorised,
    }))
}

fn contact_list(contacts: Node) -> Vec<Value> {
    let mut list: Vec<(u32, Value)> = children(contacts, "Contact")
        .filter_map(|c| {
            let name = [text_of(c, "Forename"), text_of(c, "Surname")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() {
                return None;
            }
            let order = text_of(c, "Order").and_then(|o| o.parse().ok()).unwrap_or(99);
            let phone = child(c, "Phones")
                .into_iter()
                .flat_map(|p| children(p, "Phone"))
                .find_map(|p| text_of(p, "PhoneNo"));
            let relationship = text_of(c, "Relationship")
                .map_or_else(|| "Contact".to_owned(), |r| relationship_label(&r));
            Some((
                order,
                json!({
                    "name": name,
                    "relationship": relationship,
                    "phone": phone,
                    "email": text_of(c, "Email"),
                    "parental_responsibility": text_of(c, "Responsibility").as_deref() == Some("true"),
                }),
            ))
        })
        .collect();
    list.sort_by_key(|(order, _)| *order);
    list.into_iter().map(|(_, c)| c).take(10).collect()
}

/// The CTF's relationship codes (the DfE common basic data set).
fn relationship_label(code: &str) -> String {
    match code {
        "PAM" => "Mother",
        "PAF" => "Father",
        "STM" => "Step-mother",
        "STF" => "Step-father",
        "FOM" => "Foster mother",
        "FOF" => "Foster father",
        "GRM" => "Grandmother",
        "GRF" => "Grandfather",
        "CAR" => "Carer",
        "REL" => "Other relative",
        "CHM" => "Childminder",
        "SWR" => "Social worker",
        "DOC" => "Doctor",
        "HTE" => "Head teacher",
        "OTH" => "Other contact",
        other => other,
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).expect("date")
    }

    const MINIMAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CTfile><Header><DocumentName>Common Transfer File</DocumentName><CTFversion>25.0</CTFversion>
<SourceSchool><LEA>801</LEA><Estab>4000</Estab><SchoolName>Northgate Academy</SchoolName></SourceSchool></Header>
<CTFpupilData><Pupil><UPN>G801400025001</UPN><Surname>Reed</Surname><Forename>Noah</Forename><DOB>2012-03-14</DOB></Pupil></CTFpupilData></CTfile>"#;

    fn filled(import: &CtfImport, id: &str) -> Option<Value> {
        import
            .fills
            .iter()
            .find(|(f, _)| f.id() == id)
            .map(|(_, v)| v.clone())
    }

    #[test]
    fn identity_comes_from_the_pupil_element() {
        let import = read(MINIMAL.as_bytes(), None, today()).expect("reads");
        assert_eq!(filled(&import, "identity.first_name"), Some(json!("Noah")));
        assert_eq!(
            filled(&import, "identity.date_of_birth"),
            Some(json!("2012-03-14"))
        );
        assert_eq!(
            filled(&import, "identity.upn"),
            Some(json!("G801400025001"))
        );
        assert!(import.skipped.is_empty(), "{:?}", import.skipped);
        assert_eq!(import.source_school.as_deref(), Some("Northgate Academy"));
    }

    #[test]
    fn a_wrong_check_letter_is_skipped_not_imported() {
        let wrong = MINIMAL.replace("G801400025001", "A801400025001");
        let import = read(wrong.as_bytes(), None, today()).expect("reads");
        assert_eq!(filled(&import, "identity.upn"), None);
        assert_eq!(import.skipped.len(), 1);
        assert_eq!(import.skipped[0].element, "Pupil/UPN");
    }

    #[test]
    fn malformed_and_foreign_files_are_refused() {
        for bad in [
            "<CTfile><Header></CTfile>",
            "<School><Pupil/></School>",
            "<CTfile><Header/></CTfile>",
            "<CTfile><Header/><CTFpupilData/></CTfile>",
            "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><CTfile/>",
        ] {
            let err = read(bad.as_bytes(), None, today()).expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("ctf"), "{bad}");
        }
    }

    #[test]
    fn another_childs_file_is_refused() {
        let import = read(MINIMAL.as_bytes(), None, today()).expect("reads");
        let same = vec![("identity.last_name".to_owned(), json!("REED"))];
        assert!(check_same_pupil(&import, &same).is_ok());
        let other = vec![("identity.date_of_birth".to_owned(), json!("2013-01-01"))];
        let err = check_same_pupil(&import, &other).expect_err("another child");
        assert!(err.message.contains("Noah Reed"), "{}", err.message);
    }

    #[test]
    fn oversized_files_are_refused_before_parsing() {
        let big = vec![b' '; MAX_CTF_BYTES + 1];
        let err = read(&big, None, today()).expect_err("too big");
        assert_eq!(err.code, ErrorCode::PayloadTooLarge);
    }

    #[test]
    fn several_pupils_need_a_upn_to_choose() {
        let two = MINIMAL.replace(
            "</CTFpupilData>",
            "<Pupil><UPN>A1</UPN><Surname>X</Surname><Forename>Y</Forename></Pupil></CTFpupilData>",
        );
        assert!(read(two.as_bytes(), None, today()).is_err());
        let chosen = read(two.as_bytes(), Some("g801400025001"), today()).expect("chosen");
        assert_eq!(filled(&chosen, "identity.last_name"), Some(json!("Reed")));
    }
}
