"""Call reports (pivot, graph, grouping) by Jalali month and day, as Persian users read them."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import persian


@tagged("post_install", "-at_install")
class TestJalaliReports(HttpCase):
    def setUp(self):
        super().setUp()
        self.env.company.simotel_tz = "Asia/Tehran"
        calls = self.env["simotel.call"].sudo()
        # 2024-11-30 is 10 Azar 1403; 20:40 UTC is already 00:10 on 11 Azar in Tehran (UTC+3:30).
        self.late = calls.create({"unique_id": "j.1", "direction": "inbound", "start": "2024-11-30 20:40:00"})
        self.early = calls.create({"unique_id": "j.2", "direction": "inbound", "start": "2024-11-30 10:00:00"})
        self.esfand = calls.create({"unique_id": "j.3", "direction": "inbound", "start": "2025-03-20 12:00:00"})
        self.supervisor = new_test_user(
            self.env, "simotel_jalali_sup", groups="simotel_connector.group_simotel_supervisor", lang="en_US"
        )
        persian(self, self.supervisor, modules=())

    def test_calls_carry_their_jalali_month_and_day_in_the_pbx_time_zone(self):
        self.assertEqual(self.early.start_jalali_day, "1403/09/10")
        self.assertEqual(self.late.start_jalali_day, "1403/09/11")  # after midnight in Tehran
        self.assertEqual(self.late.start_jalali_month, "1403/09")
        self.assertEqual(self.esfand.start_jalali_month, "1403/12")
        self.assertEqual(self.esfand.start_jalali_day, "1403/12/30")  # 1403 is a leap year

    def test_pivot_groups_by_jalali_month_over_rpc(self):
        self.authenticate(self.supervisor.login, self.supervisor.login)
        groups = self.make_jsonrpc_request(
            "/web/dataset/call_kw/simotel.call/web_read_group",
            {
                "model": "simotel.call",
                "method": "web_read_group",
                "args": [[["unique_id", "like", "j."]], ["__count"], ["start_jalali_month"]],
                "kwargs": {"context": {"lang": "fa_IR"}},
            },
        )["groups"]
        self.assertEqual(
            sorted((g["start_jalali_month"], g["start_jalali_month_count"]) for g in groups),
            [("1403/09", 2), ("1403/12", 1)],
        )

    def test_search_view_offers_jalali_grouping(self):
        arch = self.env["simotel.call"].get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("start_jalali_month", arch)
        self.assertIn("start_jalali_day", arch)
