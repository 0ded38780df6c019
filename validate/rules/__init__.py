"""The rule families; `validate.registry` lists them all."""
