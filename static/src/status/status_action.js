import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useBus, useService } from "@web/core/utils/hooks";
import { Component, onWillStart, useState } from "@odoo/owl";
import { useInterval } from "@simotel_connector/hooks";
import { formatSimotelDateTime } from "@simotel_connector/jalali/jalali";

/**
 * "Simotel ▸ Configuration ▸ Status": is anything arriving from the PBX? The latest
 * SEA event, lookup and call sync, and whether this browser's live connection works.
 */
export class SimotelStatusAction extends Component {
    static template = "simotel_connector.StatusAction";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.bus = useService("bus_service");
        this.state = useState({ status: null, websocket: this.bus.workerState });
        const refreshWebsocket = () => (this.state.websocket = this.bus.workerState);
        for (const name of ["connect", "reconnect", "disconnect", "reconnecting"]) {
            useBus(this.bus, name, refreshWebsocket);
        }
        useInterval(refreshWebsocket, 1000);
        onWillStart(() => this.load());
    }

    async load() {
        this.state.status = await this.orm.call("simotel.status", "simotel_get_status", []);
    }

    formatDate(value) {
        return formatSimotelDateTime(value);
    }

    get websocketConnected() {
        return this.state.websocket === "CONNECTED";
    }

    openEvents(failed) {
        this.action.doAction("simotel_connector.action_simotel_event", {
            additionalContext: failed ? { search_default_failed: 1 } : {},
        });
    }

    openLookups() {
        this.action.doAction("simotel_connector.action_simotel_lookup_log");
    }

    openSettings() {
        this.action.doAction("simotel_connector.action_simotel_config_settings");
    }

    get title() {
        return _t("Simotel status");
    }
}

registry.category("actions").add("simotel_connector.status", SimotelStatusAction);
