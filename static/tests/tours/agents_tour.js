import { registry } from "@web/core/registry";
import { postSeaEvent } from "./sea";

/** Resolve when ``selector`` matches within ``ms`` milliseconds, else fail the tour. */
async function within(ms, selector, what) {
    const start = performance.now();
    while (performance.now() - start < ms) {
        if (document.querySelector(selector)) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${what}: not on the wallboard within ${ms} ms`);
}

function postAndSee(name, payload, selector, what) {
    return {
        content: `Simotel posts ${name}: ${what} within a second`,
        trigger: ".o_simotel_wallboard h4",
        run: async () => {
            const start = performance.now();
            await postSeaEvent(name, payload, "agents-tour");
            await within(1000 - (performance.now() - start), selector, what);
        },
    };
}

function wallboardSteps(labels) {
    return [
        {
            content: "The wallboard is open",
            trigger: `.o_simotel_wallboard h2:contains(${labels.title})`,
        },
        postAndSee(
            "NewState",
            {
                exten: "557",
                state: "Ringing",
                participant: "09121234567",
                direction: "in",
                queue: "900",
                unique_id: "1700000300.1",
            },
            ".o_simotel_wb_group[data-state=ringing] .o_simotel_wb_agent[data-extension='557'] .o_simotel_wb_caller",
            "agent 557 rings for the customer"
        ),
        {
            content: "The caller is named and the state speaks the user's language",
            trigger: `.o_simotel_wb_group[data-state=ringing]:contains(${labels.ringing}) .o_simotel_wb_caller:contains(Customer Ali)`,
        },
        postAndSee(
            "CdrQueue",
            {
                unique_id: "1700000300.1",
                src: "09121234567",
                dst: "557",
                queue: "900",
                billsec: "31",
                wait: "3",
                duration: "34",
                disposition: "ANSWERED",
                hangup: "agent",
                starttime: labels.now,
                answeredtime: labels.now,
                endtime: labels.now,
                detail: [{ src: "09121234567", dst: "557", billsec: "31", wait: "3", disposition: "ANSWERED" }],
            },
            ".o_simotel_wallboard_queues tr[data-queue='900'] .o_simotel_wb_answered:not(:empty)",
            "queue 900 counts the answered call"
        ),
        {
            content: "Queue 900: one answered call",
            trigger: ".o_simotel_wallboard_queues tr[data-queue='900'] td.o_simotel_wb_answered:contains(1)",
        },
        {
            content: "Queue 900: answered within the service level",
            trigger: ".o_simotel_wallboard_queues tr[data-queue='900'] td.o_simotel_wb_sl:contains(100)",
        },
    ];
}

function nowUtc() {
    return new Date().toISOString().replace("T", " ").slice(0, 19);
}

registry.category("web_tour.tours").add("simotel_connector.wallboard", {
    steps: () => wallboardSteps({ title: "Wallboard", ringing: "Ringing", now: nowUtc() }),
});

registry.category("web_tour.tours").add("simotel_connector.wallboard_fa", {
    steps: () => [
        { content: "Right to left", trigger: "body.o_rtl .o_simotel_wallboard" },
        ...wallboardSteps({ title: "تابلوی زنده", ringing: "در حال زنگ", now: nowUtc() }),
    ],
});

function systraySteps(labels) {
    return [
        {
            content: "Open the call-center menu in the navbar",
            trigger: ".o_simotel_agent_toggle",
            run: "click",
        },
        {
            content: "Choose a pause reason (the second one, Lunch)",
            trigger: ".o_simotel_agent_reason_select",
            run: "selectByIndex 2",
        },
        {
            content: "Pause",
            trigger: ".o_simotel_agent_pause",
            run: "click",
        },
        {
            content: "The agent is paused, with the reason",
            trigger: `.o_simotel_agent_badge:contains(${labels.paused})`,
        },
        {
            content: "The reason is shown; resume",
            trigger: `.o_simotel_agent_panel:has(.o_simotel_agent_reason:contains(${labels.lunch})) .o_simotel_agent_resume`,
            run: "click",
        },
        {
            content: "The agent is idle again",
            trigger: `.o_simotel_agent_badge:contains(${labels.idle})`,
        },
    ];
}

registry.category("web_tour.tours").add("simotel_connector.agent_pause", {
    steps: () => systraySteps({ lunch: "Lunch", paused: "Paused", idle: "Idle" }),
});

registry.category("web_tour.tours").add("simotel_connector.agent_pause_fa", {
    steps: () => [
        { content: "Right to left", trigger: "body.o_rtl .o_simotel_agent_toggle" },
        ...systraySteps({ lunch: "ناهار", paused: "در مکث", idle: "بیکار" }),
    ],
});
