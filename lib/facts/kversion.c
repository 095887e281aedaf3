// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "kversion.h"

bool km_kver_parse(const char *s, unsigned int v[3])
{
	char *end;
	int i;

	v[0] = v[1] = v[2] = 0;
	for (i = 0; i < 3 && *s; i++) {
		v[i] = strtoul(s, &end, 10);
		if (end == s)
			return false;
		s = *end == '.' ? end + 1 : end;
		if (*end != '.')
			break;
	}
	return *s == 0;
}

int km_kver_cmp(const unsigned int a[3], const unsigned int b[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}
