"""The audit report: every finding, its evidence, the follow-up and the sign-off, as PDF and HTML.

``write_report(service, audit_id, out_dir, lang=...)`` is the one entry point the shells call
(``inspector audit report``, the TUI's summary screen).
"""

from inspector.reports.write import write_report

__all__ = ["write_report"]
