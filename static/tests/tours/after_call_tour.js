import { registry } from "@web/core/registry";
import { newState } from "./sea";

/** Persian: the page is right to left. */
function rtl(lang) {
    return lang === "fa" ? [{ content: "The web client is right to left", trigger: "body.o_rtl" }] : [];
}

/**
 * While the call runs: the caller's card pops, the agent opens "Call result" on it,
 * chooses a result, writes a note and saves; the card stays open.
 */
function cardSteps({ lang, result, note }) {
    return [
        ...rtl(lang),
        newState("557", "Ringing", "1700000000.77", "09123456789"),
        {
            content: "The caller's card shows the customer",
            trigger: ".o_simotel_screen_pop .o_simotel_screen_pop_name:contains(Ali Rezaei)",
        },
        {
            content: "Call result, on the card",
            trigger: ".o_simotel_screen_pop .o_notification_buttons button:has(i.fa-check-square-o)",
            run: "click",
        },
        {
            content: `Choose ${result}`,
            trigger: `.modal .o_field_widget[name=result_id] label:contains(${result})`,
            run: "click",
        },
        {
            content: "Write the note",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: `edit ${note}`,
        },
        {
            content: "Save",
            trigger: ".modal button[name=action_save]",
            run: "click",
        },
        {
            content: "Saved: the dialog closed, the card is still there while the call runs",
            trigger: "body:not(:has(.modal)) .o_simotel_wrap_up_saved",
        },
        {
            trigger: ".o_simotel_screen_pop .o_simotel_screen_pop_name:contains(Ali Rezaei)",
        },
    ];
}

/** After the call: the result and the note are on the call, and the note is on the customer's chatter. */
function foundSteps({ lang, result, note }) {
    return [
        ...rtl(lang),
        {
            content: "The call's form shows the result",
            trigger: `.o_form_view .o_field_widget[name=result_id]:contains(${result})`,
        },
        {
            content: "The note is in the call's chatter",
            trigger: `.o-mail-Chatter .o-mail-Message:contains(${note})`,
        },
        {
            content: "Open the customer of the call",
            trigger: ".o_form_view .o_field_widget[name=partner_id] a",
            run: "click",
        },
        {
            content: "The customer's form is open",
            trigger: ".o_form_view .o_breadcrumb:contains(Ali Rezaei)",
        },
        {
            content: "The customer's chatter has the result and the note, linked to the call",
            trigger: `.o-mail-Chatter .o-mail-Message:contains(${note}):contains(${result}) a[data-oe-model='simotel.call']`,
        },
    ];
}

const EN = { lang: "en", result: "Interested", note: "Wants a quote for 20 licences" };
const FA = { lang: "fa", result: "علاقه‌مند", note: "پیش‌فاکتور ۲۰ مجوز را می‌خواهد" };

registry.category("web_tour.tours").add("simotel_connector.after_call_card", {
    url: "/web",
    steps: () => cardSteps(EN),
});
registry.category("web_tour.tours").add("simotel_connector.after_call_found", {
    steps: () => foundSteps(EN),
});
registry.category("web_tour.tours").add("simotel_connector.after_call_card_fa", {
    url: "/web",
    steps: () => cardSteps(FA),
});
registry.category("web_tour.tours").add("simotel_connector.after_call_found_fa", {
    steps: () => foundSteps(FA),
});
