"""Privacy: erasure, export, retention and the audit trail."""
