/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulator binary records through its own seam: libc stays libc. */
#include "conf.h"

Conf *conf_current;

unsigned
conf_live_maps(Conf *c)
{
    return c->sim ? smmu_ext_sim_live(c->sim, SMMU_EXT_SIM_MMAP) : 0;
}
