"""inspector.audit: checklists, stations, records, scoring, the audit service, tampering and damage."""
