import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { renderToMarkup } from "@web/core/utils/render";

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

        function buttons(card, close) {
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

        function show(card) {
            let close = () => {};
            close = notification.add(renderToMarkup("simotel_connector.ScreenPop", { card }), {
                title: _t("Incoming call: %s", card.number),
                type: card.partner ? "info" : "warning",
                sticky: true,
                className: "o_simotel_screen_pop",
                buttons: buttons(card, () => close()),
            });
        }

        bus_service.subscribe("simotel/screen_pop", show);
        bus_service.start();
        return { show };
    },
};

registry.category("services").add("simotel_screen_pop", simotelScreenPopService);
