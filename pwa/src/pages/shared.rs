use lt_core::api::{OpenShare, ShareCodeRequest, ShareCodeSent, SharedExport};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::fragment_token;
use crate::api::{self, Failure};
use crate::components::input_value;

/// A Reintegration Export shared with someone outside LearnTrek: they ask
/// for a code, it comes to their email, and with it the export opens.
#[component]
pub fn Shared() -> Html {
    let token = use_memo((), |_| fragment_token());
    let sent = use_state(|| None::<ShareCodeSent>);
    let opened = use_state(|| None::<SharedExport>);
    let failure = use_state(|| None::<Failure>);
    let busy = use_state(|| false);
    let code = use_node_ref();
    if token.is_empty() {
        return html! {
            <section class="card">
                <h2>{ "This link is incomplete" }</h2>
                <p>{ "Open the link from the email again, or copy all of it into the address bar." }</p>
            </section>
        };
    }
    let ask = {
        let (token, sent, failure, busy) =
            (token.clone(), sent.clone(), failure.clone(), busy.clone());
        Callback::from(move |_: MouseEvent| {
            let body = ShareCodeRequest {
                token: (*token).clone(),
            };
            let (sent, failure, busy) = (sent.clone(), failure.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match api::send_share_code(&body).await {
                    Ok(s) => {
                        failure.set(None);
                        sent.set(Some(s));
                    }
                    Err(f) => failure.set(Some(f)),
                }
                busy.set(false);
            });
        })
    };
    let open = {
        let (token, opened, failure, code) =
            (token.clone(), opened.clone(), failure.clone(), code.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = OpenShare {
                token: (*token).clone(),
                code: input_value(&code),
            };
            let (opened, failure) = (opened.clone(), failure.clone());
            spawn_local(async move {
                match api::open_share(&body).await {
                    Ok(export) => opened.set(Some(export)),
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let (code_error, general) = Failure::split(failure.as_ref(), "code");
    if let Some(o) = &*opened {
        let e = &o.export;
        return html! {
            <section class="card shared-open">
                <h2>{ format!("Reintegration Export: {} {}", e.pupil.first_name, e.pupil.last_name) }</h2>
                <p>{ format!("From {}. You can read it until {} today; after that, ask for a new code.",
                    e.placement.ap, lt_core::london::clock(o.access_until)) }</p>
                <div class="actions">
                    <a class="button secondary open-shared" href={api::shared_export_url("html")}>{ "Read it here" }</a>
                    <a class="button secondary" href={api::shared_export_url("pdf")} download="">{ "Download the PDF" }</a>
                    <a class="button secondary" href={api::shared_export_url("json")} download="">{ "Download the data (JSON)" }</a>
                </div>
            </section>
        };
    }
    html! {
        <section class="card shared">
            <h2>{ "A Reintegration Export has been shared with you" }</h2>
            if let Some(message) = general {
                <p class="error" role="alert">{ message }</p>
            }
            if let Some(s) = &*sent {
                <p role="status">{ format!("We have emailed a code to {}. It works for 10 minutes.", s.sent_to) }</p>
                <form class="open-share" onsubmit={open} novalidate=true>
                    <label for="share-code">{ "Code from the email" }</label>
                    <input id="share-code" ref={code} inputmode="numeric" autocomplete="one-time-code"
                        maxlength="7" aria-invalid={code_error.is_some().to_string()}
                        aria-describedby={code_error.as_ref().map(|_| "share-code-error")} />
                    if let Some(message) = code_error {
                        <p id="share-code-error" class="field-error">{ message }</p>
                    }
                    <button class="primary" type="submit">{ "Open the export" }</button>
                </form>
                <button class="link" onclick={ask.clone()} disabled={*busy}>{ "Send another code" }</button>
            } else {
                <p>{ "To keep the pupil's information safe, we will email a code to the person it was shared with." }</p>
                <button class="primary send-code" onclick={ask} disabled={*busy}>{ "Email me a code" }</button>
            }
        </section>
    }
}
