import { registry } from "@web/core/registry";
import { newState } from "./sea";

/**
 * Extension 557 rings for ``caller``: the card pops with ``card`` in it, and its button
 * ``button`` opens a form showing ``form``.
 */
function popAndOpen({ uniqueId, caller, card, button, form }) {
    return [
        newState("557", "Ringing", uniqueId, caller),
        {
            content: `The caller's card pops: ${card}`,
            trigger: `.o_simotel_screen_pop ${card}`,
        },
        {
            content: `Press ${button} on the card`,
            trigger: `.o_simotel_screen_pop button:contains(${button})`,
            run: "click",
        },
        {
            content: `The form opens: ${form}`,
            trigger: `.o_form_view ${form}`,
        },
    ];
}

/**
 * Logged in as the agent on extension 557: Simotel reports that 557 rings for
 * a known customer, the caller's card pops, and it opens the customer.
 */
registry.category("web_tour.tours").add("simotel_connector.screen_pop", {
    url: "/web",
    steps: () =>
        popAndOpen({
            uniqueId: "1700000000.42",
            caller: "09123456789",
            card: ".o_simotel_screen_pop_name:contains(Ali Rezaei)",
            button: "Open Customer",
            form: ".o_breadcrumb:contains(Ali Rezaei)",
        }),
});

/** An unknown number: the card offers to create a contact with that number. */
registry.category("web_tour.tours").add("simotel_connector.screen_pop_unknown", {
    url: "/web",
    steps: () =>
        popAndOpen({
            uniqueId: "1700000000.43",
            caller: "02188776655",
            card: ".o_simotel_screen_pop_unknown",
            button: "Create Contact",
            form: ".o_field_widget[name=phone] input:value(02188776655)",
        }),
});
