"""The supervisors' web dashboard over the archive (`xxgk serve`)."""
