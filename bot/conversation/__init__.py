"""The conversation service: one message, one transaction; group commit; the writer process."""
