// SPDX-License-Identifier: GPL-2.0
/*
 * The suite binary: every area under tests/ registers its cases; this file reads
 * the hardware facts once, before any case forks, and states them in the
 * KTAP header.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "facts.h"

int km_harness_global_setup(int argc, char **argv)
{
	int r;

	if (access("/dev/kvm", F_OK)) {
		km_harness_reason("/dev/kvm absent: this kernel has no KVM (or KVM failed to "
				  "initialise: no EL2?)");
		return KSFT_SKIP;
	}
	r = km_facts_read(&km_facts);
	if (r == -EACCES || r == -EPERM) {
		km_harness_reason("cannot open /dev/kvm: %s (run as root)", strerror(-r));
		return KSFT_SKIP;
	}
	if (r) {
		km_harness_reason("cannot create a VM and vCPU to read the hardware facts: %s",
				  strerror(-r));
		return 1;
	}
	return 0;
}

void km_harness_header(void)
{
	km_facts_print(&km_facts);
}

TEST_HARNESS_MAIN
