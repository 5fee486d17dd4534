/* Replaced by the filesystem layer's sources as they land. */
#include "config.h"
int devpagerfs_placeholder;
