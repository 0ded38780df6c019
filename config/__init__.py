"""What every layer reads and none owns: the typed settings and the portal registry's model."""
