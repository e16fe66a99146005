import { registry } from "@web/core/registry";
import { newState } from "./sea";

/**
 * Logged in as the agent on extension 557: Simotel reports that 557 rings for
 * a known customer, the caller's card pops, and it opens the customer.
 */
registry.category("web_tour.tours").add("simotel_connector.screen_pop", {
    url: "/web",
    steps: () => [
        newState("557", "Ringing", "1700000000.42", "09123456789"),
        {
            content: "The caller's card shows the customer",
            trigger: ".o_simotel_screen_pop .o_simotel_screen_pop_name:contains(Ali Rezaei)",
        },
        {
            content: "Open the customer from the card",
            trigger: ".o_simotel_screen_pop button:contains(Open Customer)",
            run: "click",
        },
        {
            content: "The customer's form is open",
            trigger: ".o_form_view .o_breadcrumb:contains(Ali Rezaei)",
        },
    ],
});

/** An unknown number: the card offers to create a contact with that number. */
registry.category("web_tour.tours").add("simotel_connector.screen_pop_unknown", {
    url: "/web",
    steps: () => [
        newState("557", "Ringing", "1700000000.43", "02188776655"),
        {
            content: "The card says the number is unknown",
            trigger: ".o_simotel_screen_pop .o_simotel_screen_pop_unknown",
        },
        {
            content: "Create a contact from the card",
            trigger: ".o_simotel_screen_pop button:contains(Create Contact)",
            run: "click",
        },
        {
            content: "The new contact's form has the number",
            trigger: ".o_form_view .o_field_widget[name=phone] input:value(02188776655)",
        },
    ],
});
