use yew::prelude::*;

use super::UpdateBanner;

#[derive(Properties, PartialEq)]
pub struct FrameProps {
    /// The section tabs, for those who have them.
    #[prop_or_default]
    pub nav: Html,
    pub children: Children,
}

/// The bar, the tabs and the main region every screen sits in, in the shell
/// and in the app alike.
#[component]
pub fn Frame(props: &FrameProps) -> Html {
    html! {
        <>
            <div class="top">
                <header class="bar">
                    <h1 class="brand">{ "LearnTrek" }</h1>
                </header>
                { props.nav.clone() }
            </div>
            <main id="main">
                <UpdateBanner />
                { props.children.clone() }
            </main>
        </>
    }
}
