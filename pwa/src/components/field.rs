use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// The server's message when it named this field.
    #[prop_or_default]
    pub error: Option<String>,
    pub node: NodeRef,
}

/// A labelled input whose error is announced and tied to it for screen readers.
#[component]
pub fn Field(props: &FieldProps) -> Html {
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let described: Vec<&str> = [
        props.hint.as_ref().map(|_| hint_id.as_str()),
        props.error.as_ref().map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let inputmode = (props.kind == "email").then_some("email");
    html! {
        <>
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            if let Some(hint) = &props.hint {
                <p id={hint_id.clone()} class="hint">{ hint.clone() }</p>
            }
            <input id={props.id.clone()} ref={props.node.clone()} type={props.kind.clone()}
                autocomplete={props.autocomplete.clone()} inputmode={inputmode}
                aria-invalid={props.error.is_some().to_string()}
                aria-describedby={(!described.is_empty()).then(|| described.join(" "))} />
            if let Some(message) = &props.error {
                <p id={error_id} class="field-error">{ crate::api::capitalise(message) }</p>
            }
        </>
    }
}

pub fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

pub fn textarea_value(node: &NodeRef) -> String {
    node.cast::<web_sys::HtmlTextAreaElement>()
        .map(|t| t.value())
        .unwrap_or_default()
}
