/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SELFTEST vEVENTs and the vDEVICEs they name.  The mock reports one
 * record {virt_id} per IOMMU_TEST_OP_TRIGGER_VEVENT, with the virt_id of
 * the triggering device's vDEVICE.  Each decoded record is counted, kept
 * in a small FIFO the guest pops, and signalled on interrupt line 0.
 */
#include "selftest.h"

static bool
known_vsid(const Selftest *s, uint64_t vsid)
{
    for (unsigned i = 0; i < s->n_vdevs; i++) {
        if (s->vdevs[i].vsid == vsid) {
            return true;
        }
    }
    return false;
}

void
selftest_event(void *state, const void *payload, size_t len)
{
    Selftest *s = state;
    struct se_iommu_viommu_event_selftest ev;

    if (!payload || len < sizeof(ev)) {
        s->evt_bad++;
        return;
    }
    memcpy(&ev, payload, sizeof(ev));
    s->evt_count++;
    if (!known_vsid(s, ev.virt_id)) {
        /* A vDEVICE freed while its event was queued, or a kernel bug:
         * counted, and still shown to the guest. */
        s->evt_bad++;
    }
    if (s->fifo_len == ST_EVT_FIFO) {
        s->evt_dropped++;
    } else {
        s->fifo[(s->fifo_head + s->fifo_len) % ST_EVT_FIFO] = ev.virt_id;
        s->fifo_len++;
    }
    smmu_ext_core_pulse_irq(s->core, ST_IRQ_EVENT);
}

uint32_t
selftest_event_pop(Selftest *s)
{
    uint32_t v;

    if (!s->fifo_len) {
        return 0;
    }
    v = s->fifo[s->fifo_head];
    s->fifo_head = (s->fifo_head + 1) % ST_EVT_FIFO;
    s->fifo_len--;
    return v;
}

void
selftest_events_reset(Selftest *s)
{
    s->evt_count = 0;
    s->evt_bad = 0;
    s->evt_dropped = 0;
    s->fifo_head = 0;
    s->fifo_len = 0;
}

void
selftest_vdevice_changed(void *state, uint32_t dev_id, uint64_t vsid,
                         bool present)
{
    Selftest *s = state;

    for (unsigned i = 0; i < s->n_vdevs; i++) {
        if (s->vdevs[i].dev_id == dev_id) {
            s->vdevs[i] = s->vdevs[--s->n_vdevs];
            break;
        }
    }
    if (present && s->n_vdevs < ST_MAX_VDEVS) {
        s->vdevs[s->n_vdevs++] = (SelftestVdev) {
            .dev_id = dev_id, .vsid = vsid,
        };
    }
}
