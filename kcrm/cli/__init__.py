"""The `kcrm` command line: one module per command group, thin shells over the domain."""
