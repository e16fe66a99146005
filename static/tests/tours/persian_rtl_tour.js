import { registry } from "@web/core/registry";

/**
 * The web client in Persian, right to left: the styles are the RTL build made by rtlcss, and the
 * Simotel call icon and its notification speak Persian. Starts on the contact list.
 */
registry.category("web_tour.tours").add("simotel_persian_rtl", {
    steps: () => [
        {
            content: "The web client runs right to left",
            trigger: "body.o_rtl .o_list_view",
        },
        {
            content: "The styles are the RTL build: rtlcss turned Bootstrap's start margin into a right margin",
            trigger: "body.o_rtl",
            run() {
                const probe = document.createElement("div");
                probe.className = "ms-3";
                document.body.append(probe);
                const { marginLeft, marginRight } = getComputedStyle(probe);
                probe.remove();
                if (marginLeft !== "0px" || marginRight === "0px") {
                    throw new Error(
                        `Left-to-right styles in Persian (.ms-3: left ${marginLeft}, right ${marginRight}): ` +
                            "is rtlcss installed (npm install -g rtlcss)?"
                    );
                }
            },
        },
        {
            content: "The call icon beside the phone number has its Persian title",
            trigger:
                ".o_data_row:contains(Tour Customer) .o_field_widget[name=phone] .o_simotel_call[title='تماس از طریق سیموتل']",
            run: "click",
        },
        {
            content: "The success notification is in Persian",
            trigger: ".o_notification:has(.bg-success):contains(در حال تماس با 09121234567 از داخلی 557)",
        },
    ],
});
