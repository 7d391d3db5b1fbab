//! gcmc: the harness.
