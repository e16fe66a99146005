import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { Component } from "@odoo/owl";

/**
 * A number of seconds written as a clock: `m:ss` under an hour, `h:mm:ss` from an hour on
 * (245 → "4:05", 3661 → "1:01:01"). Empty values stay empty.
 */
export function formatSimotelDuration(value) {
    if (value === false || value === null || value === undefined || Number.isNaN(Number(value))) {
        return "";
    }
    const total = Math.round(Math.abs(Number(value)));
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = String(total % 60).padStart(2, "0");
    const sign = Number(value) < 0 ? "-" : "";
    if (hours) {
        return `${sign}${hours}:${String(minutes).padStart(2, "0")}:${seconds}`;
    }
    return `${sign}${minutes}:${seconds}`;
}

/** Read-only display of a duration in seconds (call durations come from the PBX). */
export class SimotelDurationField extends Component {
    static template = "simotel_connector.SimotelDurationField";
    static props = { ...standardFieldProps };

    get formattedValue() {
        return formatSimotelDuration(this.props.record.data[this.props.name]);
    }
}

export const simotelDurationField = {
    component: SimotelDurationField,
    displayName: _t("Duration (h:mm:ss)"),
    supportedTypes: ["integer", "float"],
    // Wide enough for "Talk Time" and for "10:00:00" sums.
    listViewWidth: [96, 140],
};

registry.category("fields").add("simotel_duration", simotelDurationField);
// Used by list sums and the pivot (measure widget="simotel_duration").
registry.category("formatters").add("simotel_duration", formatSimotelDuration);
