"""Numbers a supervisor can compare: the metric dictionary, peer benchmarks, trends and the generated
monitoring reports, all read from the archive's `cell` table and compliance matrix."""
