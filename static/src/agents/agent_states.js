import { _t } from "@web/core/l10n/translation";

const { DateTime } = luxon;

/** Labels and colours of the agent states (simotel.agent.state.state). */
export function stateLabel(state) {
    return (
        {
            idle: _t("Idle"),
            ringing: _t("Ringing"),
            in_use: _t("In Use"),
            paused: _t("Paused"),
            unavailable: _t("Unavailable"),
            unknown: _t("Unknown"),
        }[state] || state
    );
}

export const STATE_ORDER = ["ringing", "in_use", "idle", "paused", "unavailable", "unknown"];

export function stateClass(state) {
    return (
        {
            idle: "text-bg-success",
            ringing: "text-bg-info",
            in_use: "text-bg-primary",
            paused: "text-bg-warning",
            unavailable: "text-bg-secondary",
            unknown: "text-bg-light",
        }[state] || "text-bg-light"
    );
}

/** Seconds elapsed since a server datetime (UTC, "YYYY-MM-DD HH:MM:SS"), given the clock offset to the server. */
export function secondsSince(since, offsetMs = 0) {
    if (!since) {
        return null;
    }
    const start = DateTime.fromSQL(since, { zone: "utc" });
    return Math.max(0, Math.floor((Date.now() + offsetMs - start.toMillis()) / 1000));
}

/** 75 -> "1:15", 3725 -> "1:02:05"; digits as the user's language writes them. */
export function formatDuration(seconds) {
    if (seconds === null || seconds === undefined) {
        return "–";
    }
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = seconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    const text = hours ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
    return text;
}
