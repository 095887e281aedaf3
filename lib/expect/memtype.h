/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stage-2 memory types KVM installs, the terms a case compares in:
 * km_expect() says in them what KVM must install, the oracles (the tracer
 * decoding prot values, lib/oracle/s2prot.h; the descriptor reader) say in
 * them what it did.  They live with the expectations so that those need
 * nothing of the oracles, which sit above them.
 */
#ifndef KM_MEMTYPE_H
#define KM_MEMTYPE_H

/* The stage-2 memory type KVM installs (pgtable.c:stage2_set_prot_attr()). */
enum km_memtype {
	KM_MT_NONE,		/* no mapping, or an invalid prot */
	KM_MT_NORMAL,		/* MT_S2_NORMAL 0xf / MT_S2_FWB_NORMAL 6 */
	KM_MT_NORMAL_NC,	/* MT_S2_NORMAL_NC 5 / MT_S2_FWB_NORMAL_NC 5 */
	KM_MT_DEVICE,		/* MT_S2_DEVICE_nGnRE 1 / FWB 1 */
};

/* Sets of memory types, for "consistent with" checks. */
#define KM_MT_BIT(mt)		(1U << (mt))
#define KM_MT_SET_ANY		(KM_MT_BIT(KM_MT_NORMAL) | KM_MT_BIT(KM_MT_NORMAL_NC) | \
				 KM_MT_BIT(KM_MT_DEVICE))
#define KM_MT_SET_NOT_DEVICE	(KM_MT_BIT(KM_MT_NORMAL) | KM_MT_BIT(KM_MT_NORMAL_NC))
#define KM_MT_SET_UNCACHED	(KM_MT_BIT(KM_MT_NORMAL_NC) | KM_MT_BIT(KM_MT_DEVICE))

#endif /* KM_MEMTYPE_H */
