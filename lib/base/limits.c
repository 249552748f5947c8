/*
 * base/limits.c: defaults, maxima and reasons of the limits declared in vouch/limits.h.
 *
 * The table is the X-macro VOUCH_LIMITS so that a limit is named exactly once.
 */
#include <string.h>

#include "base/base.h"

void
vouch_limits_default(vouch_limits *l)
{
#define VOUCH_LIMIT_DEF(name, def, max, why) l->name = (def);
	VOUCH_LIMITS(VOUCH_LIMIT_DEF)
#undef VOUCH_LIMIT_DEF
}

struct limit_row {
	const char *name;
	uint64_t def, max;
	const char *why;
	size_t off;
};

static const struct limit_row rows[] = {
#define VOUCH_LIMIT_ROW(name, def, max, why) {#name, (def), (max), (why), offsetof(vouch_limits, name)},
	VOUCH_LIMITS(VOUCH_LIMIT_ROW)
#undef VOUCH_LIMIT_ROW
};

int
vouch_limits_set(vouch_limits *l, const char *name, uint64_t value)
{
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(rows); i++) {
		if (strcmp(rows[i].name, name) != 0) {
			continue;
		}
		if (value == 0 || value > rows[i].max) {
			return VOUCH_E_LIMIT;
		}
		memcpy((char *)l + rows[i].off, &value, sizeof(value));
		return VOUCH_OK;
	}
	return VOUCH_E_NOTFOUND;
}

int
vouch_limits_describe(unsigned i, const char **name, uint64_t *def, uint64_t *max, const char **why)
{
	if (i >= VOUCH_ARRAY_LEN(rows)) {
		return -1;
	}
	*name = rows[i].name;
	*def = rows[i].def;
	*max = rows[i].max;
	*why = rows[i].why;
	return 0;
}
