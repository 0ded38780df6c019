"""The `xxgk` application shell: command line and shared settings."""

__version__ = "0.1.0"
