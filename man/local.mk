# Manual pages (mdoc), linted by tests/manlint.sh.
