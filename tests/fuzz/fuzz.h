/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the libFuzzer harnesses share: fuzzed bytes as C strings and argv,
 * output captured in memory, a strict JSON checker for what the writers
 * print, and an assertion that crashes (so libFuzzer keeps the input).
 * Each harness is one file that includes this; the state here is its own.
 */
#ifndef TCPLAT_FUZZ_H
#define TCPLAT_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken invariant: say which and abort, which libFuzzer reports as a
 * crash and saves the input of. */
#define FUZZ_ASSERT(cond, ...)                                                               \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
			fprintf(stderr, __VA_ARGS__);                                        \
			fputc('\n', stderr);                                                 \
			abort();                                                             \
		}                                                                            \
	} while (0)

/* The bytes as a NUL-terminated string of exactly size + 1 bytes, so that
 * ASan sees any read past its end. Stops at an embedded NUL like C would. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_ASSERT(s, "out of memory");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Fuzzed bytes as an argv: argv0, then one word per NUL-separated piece,
 * each in its own allocation; at most FUZZ_MAX_ARGS words. */
#define FUZZ_MAX_ARGS 32

struct fuzz_argv {
	int argc;
	char *argv[FUZZ_MAX_ARGS + 2];
};

static inline void fuzz_argv_make(struct fuzz_argv *a, const char *argv0, const uint8_t *data,
				  size_t size)
{
	size_t start = 0, i;

	a->argc = 0;
	a->argv[a->argc++] = fuzz_strdup((const uint8_t *)argv0, strlen(argv0));
	for (i = 0; i <= size && a->argc <= FUZZ_MAX_ARGS; i++) {
		if (i < size && data[i])
			continue;
		a->argv[a->argc++] = fuzz_strdup(data + start, i - start);
		start = i + 1;
	}
	a->argv[a->argc] = NULL;
}

static inline void fuzz_argv_free(struct fuzz_argv *a)
{
	/* argp may permute argv: every pointer is still one of ours. */
	for (int i = 0; i < a->argc; i++)
		free(a->argv[i]);
}

/* Output written to a FILE *, captured in memory. */
struct fuzz_out {
	char *buf;
	size_t len;
	FILE *f;
};

static inline FILE *fuzz_out_open(struct fuzz_out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	FUZZ_ASSERT(o->f, "open_memstream failed");
	return o->f;
}

/* Closes the stream; o->buf then holds o->len bytes and a NUL. */
static inline void fuzz_out_close(struct fuzz_out *o)
{
	FUZZ_ASSERT(!fclose(o->f), "fclose failed");
	o->f = NULL;
}

static inline void fuzz_out_free(struct fuzz_out *o)
{
	if (o->f)
		fclose(o->f);
	free(o->buf);
	o->buf = NULL;
}

/*
 * A strict RFC 8259 checker, written for these tests: *pos advances past one
 * value of s[0..len); false if it is not valid JSON. Strings must be valid
 * UTF-8 with no raw control character, escapes only the standard ones, and
 * \u escapes of surrogates only in pairs.
 */
struct fuzz_json {
	const unsigned char *s;
	size_t len, pos;
	int depth;
};

static inline void fuzz_json_ws(struct fuzz_json *j)
{
	while (j->pos < j->len && strchr(" \t\r\n", j->s[j->pos]) && j->s[j->pos])
		j->pos++;
}

static inline bool fuzz_json_lit(struct fuzz_json *j, const char *lit)
{
	size_t n = strlen(lit);

	if (j->len - j->pos < n || memcmp(j->s + j->pos, lit, n))
		return false;
	j->pos += n;
	return true;
}

static inline int fuzz_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A \uXXXX after the backslash and 'u' at *pos; -1 if malformed. */
static inline long fuzz_json_u4(struct fuzz_json *j)
{
	long v = 0;

	if (j->len - j->pos < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = fuzz_hex(j->s[j->pos + i]);

		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	j->pos += 4;
	return v;
}

/* The length of the UTF-8 sequence at p (avail bytes), 0 if invalid.
 * Written apart from json.c's on purpose: the oracle of the JSON harness
 * must not be the code under test. */
static inline size_t fuzz_utf8_len(const unsigned char *p, size_t avail)
{
	size_t need;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

/*
 * A string at *pos (its opening quote). If out is not NULL, the decoded
 * bytes (UTF-8) go there, *outlen of them; out must hold 4 bytes per byte
 * of the string's source.
 */
static inline bool fuzz_json_string(struct fuzz_json *j, unsigned char *out, size_t *outlen)
{
	size_t n = 0, k;
	long cp, lo;

	if (j->pos >= j->len || j->s[j->pos] != '"')
		return false;
	j->pos++;
	while (j->pos < j->len) {
		unsigned char c = j->s[j->pos];

		if (c == '"') {
			j->pos++;
			if (outlen)
				*outlen = n;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\') {
			k = fuzz_utf8_len(j->s + j->pos, j->len - j->pos);
			if (!k)
				return false;
			if (out)
				memcpy(out + n, j->s + j->pos, k);
			n += k;
			j->pos += k;
			continue;
		}
		if (++j->pos >= j->len)
			return false;
		c = j->s[j->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			cp = c;
			break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			cp = fuzz_json_u4(j);
			if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
				return false;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (!fuzz_json_lit(j, "\\u"))
					return false;
				lo = fuzz_json_u4(j);
				if (lo < 0xdc00 || lo > 0xdfff)
					return false;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			break;
		default:
			return false;
		}
		/* cp as UTF-8 */
		if (out) {
			if (cp < 0x80) {
				out[n] = cp;
			} else if (cp < 0x800) {
				out[n] = 0xc0 | cp >> 6;
				out[n + 1] = 0x80 | (cp & 0x3f);
			} else if (cp < 0x10000) {
				out[n] = 0xe0 | cp >> 12;
				out[n + 1] = 0x80 | ((cp >> 6) & 0x3f);
				out[n + 2] = 0x80 | (cp & 0x3f);
			} else {
				out[n] = 0xf0 | cp >> 18;
				out[n + 1] = 0x80 | ((cp >> 12) & 0x3f);
				out[n + 2] = 0x80 | ((cp >> 6) & 0x3f);
				out[n + 3] = 0x80 | (cp & 0x3f);
			}
		}
		n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	}
	return false;
}

static inline bool fuzz_json_number(struct fuzz_json *j)
{
	size_t start = j->pos;

	if (j->pos < j->len && j->s[j->pos] == '-')
		j->pos++;
	if (j->pos >= j->len)
		return false;
	if (j->s[j->pos] == '0') {
		j->pos++;
	} else if (j->s[j->pos] >= '1' && j->s[j->pos] <= '9') {
		while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
			j->pos++;
	} else {
		return false;
	}
	if (j->pos < j->len && j->s[j->pos] == '.') {
		j->pos++;
		if (j->pos >= j->len || j->s[j->pos] < '0' || j->s[j->pos] > '9')
			return false;
		while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
			j->pos++;
	}
	if (j->pos < j->len && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
		j->pos++;
		if (j->pos < j->len && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
			j->pos++;
		if (j->pos >= j->len || j->s[j->pos] < '0' || j->s[j->pos] > '9')
			return false;
		while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
			j->pos++;
	}
	return j->pos > start;
}

static inline bool fuzz_json_value(struct fuzz_json *j);

/* An object or an array at *pos, its opening bracket. */
static inline bool fuzz_json_container(struct fuzz_json *j)
{
	bool object = j->s[j->pos] == '{';
	char close = object ? '}' : ']';

	j->pos++;
	fuzz_json_ws(j);
	if (j->pos < j->len && j->s[j->pos] == close) {
		j->pos++;
		return true;
	}
	for (;;) {
		if (object) {
			fuzz_json_ws(j);
			if (!fuzz_json_string(j, NULL, NULL))
				return false;
			fuzz_json_ws(j);
			if (j->pos >= j->len || j->s[j->pos++] != ':')
				return false;
		}
		if (!fuzz_json_value(j))
			return false;
		fuzz_json_ws(j);
		if (j->pos >= j->len)
			return false;
		if (j->s[j->pos] == close) {
			j->pos++;
			return true;
		}
		if (j->s[j->pos++] != ',')
			return false;
	}
}

static inline bool fuzz_json_value(struct fuzz_json *j)
{
	bool ok;

	fuzz_json_ws(j);
	if (j->pos >= j->len || ++j->depth > 64)
		return false;
	switch (j->s[j->pos]) {
	case '{':
	case '[':
		ok = fuzz_json_container(j);
		break;
	case '"':
		ok = fuzz_json_string(j, NULL, NULL);
		break;
	case 't':
		ok = fuzz_json_lit(j, "true");
		break;
	case 'f':
		ok = fuzz_json_lit(j, "false");
		break;
	case 'n':
		ok = fuzz_json_lit(j, "null");
		break;
	default:
		ok = fuzz_json_number(j);
		break;
	}
	j->depth--;
	return ok;
}

/* True if s[0..len) is exactly one JSON value (blanks around it allowed). */
static inline bool fuzz_json_valid(const char *s, size_t len)
{
	struct fuzz_json j = { (const unsigned char *)s, len, 0, 0 };

	if (!fuzz_json_value(&j))
		return false;
	fuzz_json_ws(&j);
	return j.pos == len;
}

/* The checker itself on known cases, so that a checker that accepts
 * everything cannot pass for a clean run. Aborts on a wrong verdict. */
static inline void fuzz_json_selftest(void)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-1.5e+3", "\"a\\u00e9\\ud83d\\ude00\"", "{\"a\":[1,true,null]}",
		"\"caf\xc3\xa9\"", " {\"k\" : \"v\"} ",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\":}", "[1,]", "01", "1.", "+1", "\"\x01\"", "\"\\x\"", "\"\xc3\"",
		"\"\\ud800\"", "\"\\udc00\"", "tru", "{\"a\":1}}", "\"\xed\xa0\x80\"", "nan",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		FUZZ_ASSERT(fuzz_json_valid(good[i], strlen(good[i])), "rejects %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		FUZZ_ASSERT(!fuzz_json_valid(bad[i], strlen(bad[i])), "accepts %s", bad[i]);
}

/* Every line of buf (NDJSON) is one JSON object; the last ends in '\n'.
 * Returns the number of lines, or -1 at the first bad one (*bad: its start). */
static inline int fuzz_ndjson_lines(const char *buf, size_t len, const char **bad)
{
	size_t start = 0;
	int n = 0;

	while (start < len) {
		const char *nl = memchr(buf + start, '\n', len - start);

		if (!nl || buf[start] != '{' || !fuzz_json_valid(buf + start, nl - buf - start)) {
			*bad = buf + start;
			return -1;
		}
		start = nl - buf + 1;
		n++;
	}
	return n;
}

/* A harness that judges output with the JSON checker defines
 * FUZZ_JSON_ORACLE before including this file: the checker is then run on
 * its known cases before the first input. */
#ifdef FUZZ_JSON_ORACLE
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_json_selftest();
	return 0;
}
#endif

#endif /* TCPLAT_FUZZ_H */
