"""Delivery: the transactional outbox, its worker, and where a candidate is reached."""
