//! The OpenAPI 3.1 description of the API, generated from [`Endpoint`] and the
//! request/response types themselves (their JSON Schemas come from `schemars`).

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::api::{Endpoint, ErrorBody, Health, Me, SignInRequest, Today};

struct Operation {
    id: &'static str,
    summary: &'static str,
    request: Option<Schema>,
    success: (u16, &'static str, Option<Schema>),
    errors: Vec<u16>,
}

struct Schemas {
    requests: SchemaGenerator,
    responses: SchemaGenerator,
}

impl Schemas {
    fn new() -> Self {
        let settings = SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Schemas {
            requests: settings.clone().for_deserialize().into_generator(),
            responses: settings.for_serialize().into_generator(),
        }
    }

    fn request<T: JsonSchema>(&mut self) -> Option<Schema> {
        Some(self.requests.subschema_for::<T>())
    }

    fn response<T: JsonSchema>(&mut self) -> Option<Schema> {
        Some(self.responses.subschema_for::<T>())
    }
}

fn describe(endpoint: Endpoint, s: &mut Schemas) -> Operation {
    let mut errors = Vec::new();
    if endpoint.needs_sign_in() {
        errors.push(401);
    }
    match endpoint {
        Endpoint::Health => Operation {
            id: "getHealth",
            summary: "Version, database reachability, latest migration and scheduler state",
            request: None,
            success: (
                200,
                "The deployment is able to serve",
                s.response::<Health>(),
            ),
            errors: vec![503],
        },
        Endpoint::OpenApi => Operation {
            id: "getOpenApi",
            summary: "This document",
            request: None,
            success: (200, "The OpenAPI 3.1 description", None),
            errors,
        },
        Endpoint::SignIn => Operation {
            id: "signIn",
            summary: "Sign in with email and password; sets the sign-in cookie",
            request: s.request::<SignInRequest>(),
            success: (200, "Signed in", s.response::<Me>()),
            errors: vec![400, 401, 413, 415],
        },
        Endpoint::SignOut => Operation {
            id: "signOut",
            summary: "End this sign-in and clear its cookie",
            request: None,
            success: (204, "Signed out", None),
            errors: {
                errors.push(403);
                errors
            },
        },
        Endpoint::Me => Operation {
            id: "getMe",
            summary: "The signed-in person and their roles",
            request: None,
            success: (200, "The signed-in person", s.response::<Me>()),
            errors,
        },
        Endpoint::Today => Operation {
            id: "getToday",
            summary: "Today's sessions (Europe/London) that the signed-in person may see",
            request: None,
            success: (200, "Today's sessions", s.response::<Today>()),
            errors,
        },
    }
}

fn json_content(schema: Schema) -> Value {
    json!({ "application/json": { "schema": schema } })
}

/// The whole OpenAPI document for release `version`.
pub fn document(version: &str) -> Value {
    let mut schemas = Schemas::new();
    let error_schema = schemas.responses.subschema_for::<ErrorBody>();
    let mut paths = Map::new();
    for &endpoint in Endpoint::ALL {
        let op = describe(endpoint, &mut schemas);
        let mut responses = Map::new();
        let (status, description, body) = op.success;
        let mut ok = json!({ "description": description });
        match (body, endpoint) {
            (Some(schema), _) => ok["content"] = json_content(schema),
            (None, Endpoint::OpenApi) => {
                ok["content"] = json!({ "application/json": { "schema": { "type": "object" } } })
            }
            (None, _) => {}
        }
        responses.insert(status.to_string(), ok);
        for code in op.errors {
            responses.insert(
                code.to_string(),
                json!({ "description": error_description(code), "content": json_content(error_schema.clone()) }),
            );
        }
        let mut operation = json!({
            "operationId": op.id,
            "summary": op.summary,
            "responses": responses,
        });
        if let Some(schema) = op.request {
            operation["requestBody"] = json!({ "required": true, "content": json_content(schema) });
        }
        if endpoint.needs_sign_in() {
            operation["security"] = json!([{ "signInCookie": [] }]);
        }
        let item = paths
            .entry(endpoint.path())
            .or_insert_with(|| Value::Object(Map::new()));
        item[endpoint.method().as_str().to_lowercase()] = operation;
    }
    let mut components = schemas.responses.take_definitions(true);
    for (name, schema) in schemas.requests.take_definitions(true) {
        components.entry(name).or_insert(schema);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "LearnTrek API",
            "version": version,
            "description": "Onboarding, attendance and transition for Alternative Provision and EOTAS placements. Every error body is {\"error\":{\"code\",\"message\",\"field\"?}}.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "signInCookie": { "type": "apiKey", "in": "cookie", "name": "lt_sign_in" }
            }
        }
    })
}

fn error_description(status: u16) -> &'static str {
    match status {
        400 => "The body is malformed or a field is invalid; `field` names it",
        401 => "Not signed in, or the sign-in has expired",
        403 => "Signed in but not allowed, or a cross-site request",
        404 => "No such resource in your scope",
        413 => "The body is larger than the endpoint accepts",
        415 => "The body is not application/json",
        503 => "The database cannot be reached",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_documented() {
        let doc = document("test");
        assert_eq!(doc["openapi"], "3.1.0");
        for &e in Endpoint::ALL {
            let op = &doc["paths"][e.path()][e.method().as_str().to_lowercase()];
            assert!(op.is_object(), "{e:?} missing from the document");
            assert!(op["responses"].is_object());
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document("test");
        let text = doc.to_string();
        for chunk in text.split("\"$ref\":\"").skip(1) {
            let target = chunk.split('"').next().expect("ref target");
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected ref {target}"));
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling ref {target}"
            );
        }
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document("test");
        let mut ids: Vec<String> = Vec::new();
        for item in doc["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("item").values() {
                ids.push(op["operationId"].as_str().expect("id").to_owned());
            }
        }
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
