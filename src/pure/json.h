/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * JSON in and out with yajl: request bodies parsed into a tree, response
 * bodies generated with small key/value helpers. Pure: no Kore.
 */

#ifndef REACTBIN_JSON_H
#define REACTBIN_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* Request bodies we parse as JSON are small; a larger one is refused. */
#define JSON_BODY_MAX		(64 * 1024)

/*
 * Parse data (len bytes, not NUL-terminated) as one JSON object. Strings
 * holding a NUL character (\u0000) are refused: the rest of the program
 * treats strings as C strings and must not see a shortened one. Returns
 * the tree (free with yajl_tree_free) or NULL with a reason in err.
 */
yajl_val	json_parse_object(const void *data, size_t len,
		    char *err, size_t errlen);

/* The string member key of obj, or NULL when absent or not a string. */
const char	*json_get_string(yajl_val obj, const char *key);

/*
 * A request body refused: the member it is about in *field (the answer's
 * error.field) and why in *message, both static strings. Returns -1, for
 * a body reader to return it.
 */
int		 json_refuse(const char **field, const char **message,
		    const char *f, const char *m);

/*
 * A JSON writer whose errors are sticky: build a whole body with the
 * calls below, then look at json_out_failed() once. Keys are NULL for
 * array elements and for the top-level value.
 */
struct json_out {
	yajl_gen	gen;
	int		failed;
};

int	json_out_init(struct json_out *);
void	json_out_free(struct json_out *);
int	json_out_failed(const struct json_out *);
int	json_out_body(struct json_out *, const unsigned char **, size_t *);

void	json_open(struct json_out *, const char *key);
void	json_close(struct json_out *);
void	json_array_open(struct json_out *, const char *key);
void	json_array_close(struct json_out *);
/*
 * json_put_*, not json_string() and json_null(): those are jansson's, the
 * JSON library behind libjwt, and a module's own function of the same
 * name would be the one libjwt calls (tests/static/symbols.t).
 */
void	json_put_string(struct json_out *, const char *key, const char *value);
void	json_put_int(struct json_out *, const char *key, int64_t value);
void	json_put_null(struct json_out *, const char *key);
void	json_put_bool(struct json_out *, const char *key, int value);

#endif
