use lt_core::api::{RetentionReview, RetentionRule};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Failure};
use crate::components::{Field, input_value};
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct RetentionProps {
    pub ap_id: AttrValue,
}

/// For the AP's managers: ended placements whose record has reached the
/// age the AP keeps records to, from the daily review, and that age.
#[component]
pub fn RetentionPanel(props: &RetentionProps) -> Html {
    let review = use_state(|| None::<Result<RetentionReview, Failure>>);
    let failure = use_state(|| None::<Failure>);
    let age = use_node_ref();
    {
        let (review, ap_id) = (review.clone(), props.ap_id.clone());
        use_effect_with(props.ap_id.clone(), move |_| {
            spawn_local(async move { review.set(Some(api::retention(&ap_id).await)) });
        });
    }
    let Some(Ok(r)) = &*review else {
        return html! {};
    };
    let onsubmit = {
        let (review, failure, age, ap_id) = (
            review.clone(),
            failure.clone(),
            age.clone(),
            props.ap_id.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Ok(keep_until_age) = input_value(&age).trim().parse() else {
                failure.set(Some(Failure::invalid(
                    "keep_until_age",
                    "an age in years, like 25",
                )));
                return;
            };
            let body = RetentionRule { keep_until_age };
            let (review, failure, ap_id) = (review.clone(), failure.clone(), ap_id.clone());
            spawn_local(async move {
                match api::save_retention(&ap_id, &body).await {
                    Ok(r) => {
                        failure.set(None);
                        review.set(Some(Ok(r)));
                    }
                    Err(f) => failure.set(Some(f)),
                }
            });
        })
    };
    let (age_error, general) = Failure::split(failure.as_ref(), "keep_until_age");
    html! {
        <section class="retention" aria-labelledby="retention-heading">
            <h3 id="retention-heading">{ "Records due for review" }</h3>
            <p class="hint">{ format!("Records are kept until the pupil is {} (the IRMS toolkit advises 25), then listed here each morning for an admin to review.", r.keep_until_age) }</p>
            if r.due.is_empty() {
                <p class="empty">{ "None due." }</p>
            } else {
                <ul class="cards">
                    { for r.due.iter().map(|d| html! {
                        <li class="card">
                            <Link<Route> to={Route::Placement { id: d.placement_id.clone() }} classes="card-link">
                                <span class="pupil">{ format!("{} {}", d.first_name, d.last_name) }</span>
                                <span class="meta">{ format!("Ended {} · due {}", d.ended_on.format("%-d %b %Y"), d.review_on.format("%-d %b %Y")) }</span>
                            </Link<Route>>
                        </li>
                    }) }
                </ul>
            }
            <form class="retention-rule" {onsubmit} novalidate=true>
                if let Some(message) = general {
                    <p class="error" role="alert">{ message }</p>
                }
                <Field id="keep-until-age" label="Keep records until the pupil is" kind="number" node={age} error={age_error} />
                <button class="secondary" type="submit">{ "Save" }</button>
            </form>
        </section>
    }
}
