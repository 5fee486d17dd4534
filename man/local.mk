# Manual pages (mdoc), linted by tests/manlint.sh.
dist_man_MANS += man/devpagerfs.8
dist_man_MANS += man/devpagerctl.8
