import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useBusNotification, useInterval } from "@simotel_connector/hooks";
import { STATE_ORDER, formatDuration, secondsSince, stateClass, stateLabel } from "./agent_states";

const { DateTime } = luxon;

/**
 * Simotel ▸ Wallboard: agents by state and today's queue figures of the
 * current company, kept live by the bus ("simotel/agent_state",
 * "simotel/queue_stats" on the company's wallboard channel). No polling:
 * the one-second timer only advances the "time in state" clocks.
 */
export class SimotelWallboard extends Component {
    static template = "simotel_connector.Wallboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.state = useState({
            loaded: false,
            companyId: false,
            agents: {},
            queues: {},
            threshold: 20,
            tick: 0,
            offset: 0,
        });
        useBusNotification("simotel/agent_state", (payload) => {
            if (payload.company_id === this.state.companyId) {
                this.state.agents[payload.id] = payload;
            }
        });
        useBusNotification("simotel/queue_stats", (payload) => {
            if (payload.company_id === this.state.companyId) {
                this.state.queues[payload.queue] = { ...payload, received: Date.now() };
            }
        });
        onWillStart(() => this.load());
        useInterval(() => this.state.tick++, 1000);
    }

    async load() {
        const data = await this.orm.call("simotel.agent.state", "simotel_wallboard_data", []);
        this.state.companyId = data.company_id;
        this.state.threshold = data.threshold;
        this.state.offset = DateTime.fromSQL(data.server_time, { zone: "utc" }).toMillis() - Date.now();
        this.state.agents = Object.fromEntries(data.agents.map((agent) => [agent.id, agent]));
        this.state.queues = Object.fromEntries(
            data.queues.map((queue) => [queue.queue, { ...queue, received: Date.now() }])
        );
        this.state.loaded = true;
    }

    get groups() {
        const agents = Object.values(this.state.agents);
        return STATE_ORDER.map((state) => ({
            state,
            label: stateLabel(state),
            badgeClass: stateClass(state),
            agents: agents
                .filter((agent) => agent.state === state)
                .sort((a, b) => (a.since || "").localeCompare(b.since || "")),
        })).filter((group) => group.agents.length);
    }

    get queues() {
        return Object.values(this.state.queues).sort((a, b) => a.queue.localeCompare(b.queue));
    }

    elapsed(agent) {
        this.state.tick; // re-render every second
        return formatDuration(secondsSince(agent.since, this.state.offset));
    }

    overdue(agent) {
        return (
            agent.state === "paused" &&
            agent.pause_reason_max > 0 &&
            secondsSince(agent.since, this.state.offset) > agent.pause_reason_max * 60
        );
    }

    longestWait(queue) {
        this.state.tick;
        if (!queue.waiting) {
            return "–";
        }
        return formatDuration(queue.longest_wait + Math.floor((Date.now() - queue.received) / 1000));
    }

    percent(value) {
        return value === null || value === undefined ? "–" : `${value}%`;
    }

    seconds(value) {
        return value === null || value === undefined ? "–" : formatDuration(value);
    }

    get thresholdLabel() {
        return _t("Service level: answered within %s s", this.state.threshold);
    }
}

registry.category("actions").add("simotel_wallboard", SimotelWallboard);
