import { Component, onWillStart, onWillUnmount, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
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
        this.busService = useService("bus_service");
        this.state = useState({
            loaded: false,
            companyId: false,
            agents: {},
            queues: {},
            threshold: 20,
            tick: 0,
            offset: 0,
        });
        this.onAgent = (payload) => {
            if (payload.company_id === this.state.companyId) {
                this.state.agents[payload.id] = payload;
            }
        };
        this.onQueue = (payload) => {
            if (payload.company_id === this.state.companyId) {
                this.state.queues[payload.queue] = { ...payload, received: Date.now() };
            }
        };
        onWillStart(async () => {
            this.busService.subscribe("simotel/agent_state", this.onAgent);
            this.busService.subscribe("simotel/queue_stats", this.onQueue);
            await this.load();
        });
        this.timer = setInterval(() => this.state.tick++, 1000);
        onWillUnmount(() => {
            clearInterval(this.timer);
            this.busService.unsubscribe("simotel/agent_state", this.onAgent);
            this.busService.unsubscribe("simotel/queue_stats", this.onQueue);
        });
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
