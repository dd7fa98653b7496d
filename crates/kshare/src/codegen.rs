//! Client code export (see `python` and `java`).
