"""The spiders: one config-driven spider for every portal."""
