"""Channel adapters: each turns a provider's payload into an ``Inbound`` and delivers replies."""
