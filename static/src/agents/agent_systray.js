import { Component, onWillStart, useState } from "@odoo/owl";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { useBusNotification, useInterval } from "@simotel_connector/hooks";
import { formatDuration, secondsSince, stateClass, stateLabel } from "./agent_states";

/**
 * The agent's call-center state in the navbar: live over the bus
 * ("simotel/agent_state"), pause with a reason, resume, join or leave queues.
 */
export class SimotelAgentSystray extends Component {
    static template = "simotel_connector.AgentSystray";
    static components = { Dropdown };
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.state = useState({
            extension: false,
            row: null,
            queues: [],
            reasons: [],
            reasonId: "",
            busy: false,
            tick: 0,
        });
        useBusNotification("simotel/agent_state", (payload) => {
            if (this.state.row && payload.id === this.state.row.id) {
                this.state.row = payload;
            }
        });
        onWillStart(async () => {
            if (!(await user.hasGroup("simotel_connector.group_simotel_user"))) {
                return;
            }
            await this.load();
        });
        useInterval(() => this.state.tick++, 1000);
    }

    async load() {
        const data = await this.orm.call("simotel.agent.state", "simotel_my_state", []);
        this.state.extension = data.extension;
        if (data.extension) {
            this.state.row = data.state;
            this.state.queues = data.queues;
            this.state.reasons = data.reasons;
        }
    }

    get label() {
        return stateLabel(this.state.row?.state);
    }
    get badgeClass() {
        return stateClass(this.state.row?.state);
    }
    get elapsed() {
        this.state.tick; // re-render every second
        return formatDuration(secondsSince(this.state.row?.since));
    }

    async run(method, args, success) {
        this.state.busy = true;
        try {
            await this.orm.call("simotel.agent.state", method, [[this.state.row.id], ...args]);
            this.notification.add(success, { type: "success" });
            await this.load();
        } finally {
            this.state.busy = false;
        }
    }

    pause() {
        const reason = this.state.reasonId ? parseInt(this.state.reasonId) : false;
        return this.run("action_pause", [reason], _t("You are paused."));
    }
    resume() {
        return this.run("action_resume", [], _t("You are back in your queues."));
    }
    toggleQueue(queue) {
        return queue.member
            ? this.run("action_leave_queue", [queue.id], _t("You left queue %s.", queue.name))
            : this.run("action_join_queue", [queue.id], _t("You joined queue %s.", queue.name));
    }
}

registry
    .category("systray")
    .add("simotel_connector.agent_systray", { Component: SimotelAgentSystray }, { sequence: 60 });
