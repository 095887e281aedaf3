// SPDX-License-Identifier: GPL-2.0
/* main() of the host unit-test binary; each tests/unit file registers its cases. */
#include "harness.h"

TEST_HARNESS_MAIN
