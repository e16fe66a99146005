import { registry } from "@web/core/registry";

/**
 * Logged in as the agent on extension 557: Simotel reports that 557 rings for
 * a known customer, the caller's card pops, and it opens the customer.
 */
registry.category("web_tour.tours").add("simotel_connector.screen_pop", {
    url: "/web",
    steps: () => [
        {
            content: "Simotel: extension 557 rings for 09123456789",
            trigger: ".o_main_navbar",
            run: async () => {
                const response = await fetch("/simotel/sea/NewState", {
                    method: "POST",
                    headers: {
                        "Content-Type": "application/json",
                        Authorization: "Basic " + btoa("simotel:tour-secret"),
                    },
                    body: JSON.stringify({
                        event_name: "NewState",
                        exten: "557",
                        state: "Ringing",
                        participant: "09123456789",
                        direction: "in",
                        unique_id: "1700000000.42",
                    }),
                });
                if (!response.ok) {
                    throw new Error(`SEA event refused: HTTP ${response.status}`);
                }
            },
        },
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
