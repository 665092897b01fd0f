use yew::prelude::*;

use super::{Field, input_value};

#[derive(Properties, PartialEq)]
pub struct NewPasswordProps {
    pub label: AttrValue,
    pub password: NodeRef,
    pub confirm: NodeRef,
    /// The server's message about the password, if it named it.
    #[prop_or_default]
    pub error: Option<String>,
    /// The two entries differed at the last attempt.
    pub mismatch: bool,
}

/// Choosing a password: the password, typed twice.
#[component]
pub fn NewPassword(props: &NewPasswordProps) -> Html {
    html! {
        <>
            <Field id="password" label={props.label.clone()} kind="password" autocomplete="new-password"
                hint="At least 10 characters. Three random words work well." node={props.password.clone()}
                error={props.error.clone()} />
            <Field id="confirm" label="Type it again" kind="password" autocomplete="new-password"
                node={props.confirm.clone()}
                error={props.mismatch.then(|| "the two passwords are different".to_owned())} />
        </>
    }
}

/// The chosen password when both entries match.
pub fn confirmed(password: &NodeRef, confirm: &NodeRef) -> Option<String> {
    let chosen = input_value(password);
    (chosen == input_value(confirm)).then_some(chosen)
}
