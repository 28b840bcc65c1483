/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Between registry.c (which owns the lists) and loader.c (which turns one
 * file or one static descriptor into a checked SmmuExtModule).  Not
 * installed, not used outside these two files.
 */
#ifndef SMMU_EXT_LOADER_PRIV_H
#define SMMU_EXT_LOADER_PRIV_H

#include "core-priv.h"

/*
 * Open @path, find its descriptor and check it.  The result is not yet
 * resident: the registry may still refuse it (duplicate name), in which
 * case smmu_ext_module_free() unloads it.  Every error names @path.
 */
SmmuExtModule *smmu_ext_module_open(const char *path, GError **errp);

/* Wrap a descriptor linked into the program, checked like a loaded one. */
SmmuExtModule *smmu_ext_module_new_static(const SmmuExtModuleDesc *desc,
                                          GError **errp);

/* The registry keeps @mod: its code must never be unloaded from now on. */
void smmu_ext_module_accept(SmmuExtModule *mod);

/* Free @mod; its file is unloaded unless it was accepted. */
void smmu_ext_module_free(SmmuExtModule *mod);

/* "the file /x/y.so" or "the static descriptor": for messages. */
const char *smmu_ext_module_origin(const SmmuExtModule *mod);

#endif /* SMMU_EXT_LOADER_PRIV_H */
