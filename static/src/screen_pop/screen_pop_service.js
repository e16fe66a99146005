import { browser } from "@web/core/browser/browser";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { renderToMarkup } from "@web/core/utils/render";

/** How long the bus websocket may stay unconnected before the agent is warned. */
export const SIMOTEL_WEBSOCKET_GRACE_MS = 5000;

/**
 * Shows the caller's card when the server says a call rings this user's
 * extension (bus notification "simotel/screen_pop", see simotel.screen.pop).
 */
export const simotelScreenPopService = {
    dependencies: ["action", "bus_service", "notification"],

    start(env, { action, bus_service, notification }) {
        function openForm(resModel, resId, context = {}) {
            return action.doAction({
                type: "ir.actions.act_window",
                res_model: resModel,
                res_id: resId,
                views: [[false, "form"]],
                target: "current",
                context,
            });
        }

        /** The agent's call result and note, while the call runs (the card stays open). */
        function wrapUp(card) {
            return action.doAction({
                type: "ir.actions.act_window",
                name: _t("Call result"),
                res_model: "simotel.call.wrap.up",
                views: [[false, "form"]],
                target: "new",
                context: { default_unique_id: card.unique_id, default_number: card.number },
            });
        }

        function buttons(card, close) {
            const result = ownButtons(card, close);
            if (card.unique_id) {
                result.push({
                    name: _t("Call result"),
                    icon: "fa-check-square-o",
                    onClick: () => wrapUp(card),
                });
            }
            return result;
        }

        function ownButtons(card, close) {
            const run = (fn) => () => {
                close();
                fn();
            };
            if (card.partner) {
                return [
                    {
                        name: _t("Open Customer"),
                        icon: "fa-user",
                        primary: true,
                        onClick: run(() => openForm("res.partner", card.partner.id)),
                    },
                ];
            }
            const result = [
                {
                    name: _t("Create Contact"),
                    icon: "fa-user-plus",
                    primary: true,
                    onClick: run(() => openForm("res.partner", false, { default_phone: card.number })),
                },
            ];
            if (card.can_create_lead) {
                result.push({
                    name: _t("Create Lead"),
                    icon: "fa-star",
                    onClick: run(() =>
                        openForm("crm.lead", false, {
                            default_phone: card.number,
                            default_name: _t("Call from %s", card.number),
                        })
                    ),
                });
            }
            return result;
        }

        /** Open cards by call id: the server closes them when the call is answered elsewhere or ends. */
        const openCards = new Map();

        function show(card) {
            const key = card.unique_id || `number:${card.number}:${Date.now()}`;
            const remove = notification.add(renderToMarkup("simotel_connector.ScreenPop", { card }), {
                // First-strong isolate: a number or Latin name keeps its order in a right-to-left title.
                title: _t("Incoming call: %s", `\u2068${card.number}\u2069`),
                type: card.partner ? "info" : "warning",
                sticky: true,
                className: `o_simotel_screen_pop o_simotel_screen_pop_${String(key).replace(/[^\w-]/g, "_")}`,
                buttons: buttons(card, () => close()),
                onClose: () => openCards.delete(key),
            });
            function close() {
                openCards.delete(key);
                remove();
            }
            openCards.get(key)?.();
            openCards.set(key, close);
        }

        function closeCard({ unique_id }) {
            openCards.get(unique_id)?.();
        }

        // Screen pops travel on the bus websocket: when it cannot connect (e.g. Odoo runs with
        // --workers and /websocket does not reach the gevent port), tell the agent once.
        let warned = false;
        let timer = null;
        function checkWebsocket() {
            timer = null;
            if (warned || bus_service.workerState === "CONNECTED") {
                return;
            }
            warned = true;
            notification.add(
                _t(
                    "Incoming call cards cannot arrive: this page has no live connection to Odoo (websocket). " +
                        "Ask your administrator to route /websocket to Odoo's gevent port."
                ),
                {
                    title: _t("Simotel screen pops unavailable"),
                    type: "warning",
                    sticky: true,
                    className: "o_simotel_websocket_warning",
                }
            );
        }
        function watchWebsocket() {
            if (!warned && timer === null) {
                timer = browser.setTimeout(checkWebsocket, SIMOTEL_WEBSOCKET_GRACE_MS);
            }
        }

        bus_service.subscribe("simotel/screen_pop", show);
        bus_service.subscribe("simotel/screen_pop_close", closeCard);
        bus_service.start();
        user.hasGroup("simotel_connector.group_simotel_user").then((isAgent) => {
            if (isAgent) {
                bus_service.addEventListener("disconnect", watchWebsocket);
                bus_service.addEventListener("reconnecting", watchWebsocket);
                watchWebsocket();
            }
        });
        return {
            show,
            closeCard,
            get openCards() {
                return [...openCards.keys()];
            },
        };
    },
};

registry.category("services").add("simotel_screen_pop", simotelScreenPopService);
