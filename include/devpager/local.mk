# nothing yet
# Public headers for applications and out-of-tree drivers, installed under
# $(includedir)/devpager (append more with devpagerinclude_HEADERS +=).
devpagerincludedir = $(includedir)/devpager
devpagerinclude_HEADERS = include/devpager/gem_ioctl.h
devpagerinclude_HEADERS += include/devpager/devpager.h
