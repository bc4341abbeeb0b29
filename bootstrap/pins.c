/*
 * pins.c - read configs/pins.ini (embedded in the binary) with inih: the
 * upstream URL, sha256 and version of the default busybox for each
 * architecture.
 */
#include "pins.h"
#include "../lib/diag.h"
#include "../lib/embed.h"
#include "../lib/sha256.h"
#include "../lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

#include <ini.h>

void pins_init(struct pins *pins)
{
	pins->pin = NULL;
	pins->nr = pins->alloc = 0;
	pins->mirror = NULL;
}

void pins_release(struct pins *pins)
{
	size_t i;

	for (i = 0; i < pins->nr; i++) {
		free(pins->pin[i].arch);
		free(pins->pin[i].url);
		free(pins->pin[i].sha256);
		free(pins->pin[i].version);
	}
	free(pins->pin);
	free(pins->mirror);
	pins_init(pins);
}

const struct pin *pins_find(const struct pins *pins, const char *arch)
{
	size_t i;

	for (i = 0; i < pins->nr; i++)
		if (!strcmp(pins->pin[i].arch, arch))
			return &pins->pin[i];
	return NULL;
}

struct parse_state {
	struct pins *pins;
	const char *name;
	int bad;
};

static void set_field(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static int on_pin_value(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;
	struct pins *pins = st->pins;
	struct pin *pin;

	if (!*section) {
		if (!strcmp(key, "mirror"))
			set_field(&pins->mirror, value);
		return 1;
	}
	pin = (struct pin *)pins_find(pins, section);
	if (!pin) {
		xgrow((void **)&pins->pin, &pins->alloc, pins->nr + 1, sizeof(*pins->pin));
		pin = &pins->pin[pins->nr++];
		memset(pin, 0, sizeof(*pin));
		pin->arch = xstrdup(section);
	}
	if (!strcmp(key, "url")) {
		set_field(&pin->url, value);
	} else if (!strcmp(key, "sha256")) {
		if (!sha256_hex_valid(value)) {
			bbr_error("invalid pins file '%s': [%s] sha256 is not 64 hex digits",
				  st->name, section);
			st->bad = 1;
			return 0;
		}
		set_field(&pin->sha256, value);
		sha256_hex_lower(pin->sha256);
	} else if (!strcmp(key, "version")) {
		set_field(&pin->version, value);
	}
	return 1;
}

int pins_parse(const char *text, const char *name, struct pins *pins)
{
	struct parse_state st = { pins, name, 0 };
	size_t i;
	int line;

	line = ini_parse_string(text, on_pin_value, &st);
	if (st.bad)
		return -1;
	if (line != 0)
		return bbr_error("invalid pins file '%s': syntax error on line %d", name, line);
	for (i = 0; i < pins->nr; i++)
		if (!pins->pin[i].url || !pins->pin[i].sha256)
			return bbr_error("invalid pins file '%s': [%s] needs url and sha256",
					 name, pins->pin[i].arch);
	return 0;
}

int pins_load(struct pins *pins)
{
	const struct embedded_file *f = embedded_find("pins.ini");

	pins_init(pins);
	if (!f)
		return bbr_error("cannot read 'pins.ini': not compiled into this bbroot");
	return pins_parse((const char *)f->data, "pins.ini", pins);
}
