# Manual pages (mdoc), linted by tests/manlint.sh.
dist_man_MANS += man/devpagerfs.8
dist_man_MANS += man/devpagerctl.8
dist_man_MANS += man/cdev_pager.9 man/make_dev.9
dist_man_MANS += man/vm_object.9 man/vm_page.9 man/vm_pager.9 man/vm_map.9
dist_man_MANS += man/devpagerfs.conf.5
dist_man_MANS += man/devpagerfs_gem.4
dist_man_MANS += man/devpagerfs_fb.4 man/devpager_plugin.9
dist_man_MANS += man/devpagerfs_pager.4
