use lt_core::api::CtfImported;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};

#[derive(Properties, PartialEq)]
pub struct CtfProps {
    pub placement_id: AttrValue,
    pub on_done: Callback<()>,
}

/// Pre-filling the baseline from the school MIS's Common Transfer File.
#[component]
pub fn CtfUpload(props: &CtfProps) -> Html {
    let file = use_node_ref();
    let outcome = use_state(|| None::<Result<CtfImported, Failure>>);
    let onsubmit = {
        let (file, outcome, id, done) = (
            file.clone(),
            outcome.clone(),
            props.placement_id.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let chosen = file
                .cast::<HtmlInputElement>()
                .and_then(|i| i.files())
                .and_then(|f| f.get(0));
            let Some(chosen) = chosen else {
                return outcome.set(Some(Err(Failure::Refused(
                    lt_core::api::ErrorDetail::invalid("ctf", "choose the CTF file first"),
                ))));
            };
            let (outcome, id, done) = (outcome.clone(), id.clone(), done.clone());
            spawn_local(async move {
                let text = JsFuture::from(chosen.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string());
                let result = match text {
                    Some(xml) => api::import_ctf(&id, xml).await,
                    None => Err(Failure::Refused(lt_core::api::ErrorDetail::invalid(
                        "ctf",
                        "the file could not be read; is it the XML file the MIS exported?",
                    ))),
                };
                if result.is_ok() {
                    done.emit(());
                }
                outcome.set(Some(result));
            });
        })
    };
    html! {
        <form class="ctf" {onsubmit}>
            <label for="ctf-file">{ "Pre-fill from a Common Transfer File (CTF)" }</label>
            <p class="hint" id="ctf-hint">{ "The XML file your MIS exports for this pupil. Nothing you typed is overwritten." }</p>
            <input id="ctf-file" type="file" accept=".xml,application/xml,text/xml" ref={file} aria-describedby="ctf-hint" />
            <button type="submit" class="secondary">{ "Import the CTF" }</button>
            { match &*outcome {
                None => html! {},
                Some(Ok(r)) => html! {
                    <p class="success" role="status">
                        { format!("Filled {} item{} from {}.", r.filled.len(), if r.filled.len() == 1 { "" } else { "s" },
                            r.source_school.as_deref().unwrap_or("the file")) }
                        if !r.kept.is_empty() { { format!(" Kept {} you had typed.", r.kept.len()) } }
                        if !r.skipped.is_empty() { { format!(" Skipped {}: {}.", r.skipped.len(),
                            r.skipped.iter().map(|s| format!("{} ({})", s.element, s.reason)).collect::<Vec<_>>().join("; ")) } }
                    </p>
                },
                Some(Err(f)) => html! { <p class="error" role="alert">{ f.message() }</p> },
            } }
        </form>
    }
}
