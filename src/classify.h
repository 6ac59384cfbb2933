/* classify.h - a file's verdict for one target, from its evidence.
 *
 * Evidence, in the order it is listed and weighed: the file's own
 * SPDX-License-Identifier tags, tags inside SPDX snippets, the tags of its
 * REUSE sidecar (NAME.license), the license its package declares (npm
 * package.json, Python METADATA), the `text` rules its head matches, the
 * denied source file its content matches (a fingerprint set: exact,
 * normalized or partial; the source file's class), its path class (the
 * last matching path rule), and the license file of its directory (or the
 * nearest above) when neither its own tags nor a path rule speak.  Every expression is
 * evaluated against the target; all evidence combines as AND: the file's
 * level is the most restrictive (deny > unknown > allow), the first
 * evidence of that level names the class.  An exempt rule overrides it; a
 * file whose level is unknown (no evidence, or evidence of no allowed or
 * denied class) follows the target's `unknown` action.
 *
 * An identifier that is not on the SPDX License List (BSL-1.1 for
 * BUSL-1.1, a typo, NOASSERTION in a tag, a license written after WITH) is
 * noted on its evidence with the nearest listed identifier; a file with
 * such a note that is not denied is a warning (whatever its level and the
 * target's `unknown` action), so a misspelt license never passes silently.
 *
 * lg_classification is a value the caller owns, and its pointers point
 * into the rules and the layer; nothing in it needs freeing.
 */
#ifndef LICGATE_CLASSIFY_H
#define LICGATE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layer.h"
#include "rules.h"

enum lg_evidence_kind {
	LG_EV_PATH,        /* a path rule matched */
	LG_EV_TAG,         /* an SPDX-License-Identifier tag */
	LG_EV_UNPARSEABLE, /* a tag (of any source) whose expression does not parse */
	LG_EV_SNIPPET,     /* a tag inside SPDX-SnippetBegin .. SPDX-SnippetEnd */
	LG_EV_SIDECAR,     /* a tag of the file's NAME.license sidecar */
	LG_EV_NPM,         /* the license of the npm package the file belongs to */
	LG_EV_PYTHON,      /* the license of the Python distribution listing it */
	LG_EV_TEXT,        /* a text rule matched the head of the file */
	LG_EV_LICFILE,     /* the license file governing its directory */
	LG_EV_FINGERPRINT, /* its content matches a denied source file of a
			    * fingerprint set (evidence_fingerprint.h) */
};

#define LG_NOTE_MAX 256

typedef struct lg_evidence {
	enum lg_evidence_kind kind;
	enum lg_level level;
	const char *value;    /* PATH: the pattern; tags: the expression (not NUL-terminated) */
	size_t value_len;
	const lg_rule *rule;  /* the path rule, or the license rule of the deciding identifier */
	const char *class_name; /* NULL when no rule maps it */
	uint64_t line;        /* tags: line in the file (of source, when set) */
	uint64_t line_end;    /* SNIPPET: last line, 0 when it runs to the end */
	const char *source;   /* SIDECAR, NPM, PYTHON: the file it came from */
	const char *read_as;  /* NPM, PYTHON: the SPDX identifier a license
			       * named in words is read as (static), or NULL */
	size_t source_len;
	uint32_t layer;       /* LICFILE: 1-based layer of the license file */
	const char *target;   /* LICFILE: the file a symlinked license file
			       * leads to (line is in it), or NULL */
	size_t target_len;
	uint32_t target_layer;
	const lg_fpmatch *fp; /* FINGERPRINT: the match (source: its source file) */
	char id[256];         /* TAG: the deciding identifier; UNPARSEABLE: why */
	char note[LG_NOTE_MAX]; /* expressions: what is wrong with an identifier of
			       * it (not on the SPDX list...), or "" */
} lg_evidence;

/* What the gate does with the file. */
enum lg_outcome {
	LG_OUT_PASS,
	LG_OUT_WARN,   /* unknown under `unknown warn` */
	LG_OUT_DENY,   /* a violation */
	LG_OUT_EXEMPT, /* an exempt rule matched */
};

#define LG_MAX_EVIDENCE 16

typedef struct lg_classification {
	enum lg_level level;     /* most restrictive evidence; UNKNOWN without evidence */
	enum lg_outcome outcome;
	const char *class_name;  /* class of the deciding evidence, or NULL */
	const lg_rule *exempt;   /* the exempt rule, when outcome is EXEMPT */
	bool bad_identifier;     /* some evidence names an identifier SPDX does not
				  * define: the file warns unless it is denied */
	size_t nevidence;        /* evidence kept (at most LG_MAX_EVIDENCE) */
	size_t nomitted;         /* evidence beyond that, counted only */
	lg_evidence evidence[LG_MAX_EVIDENCE];
} lg_classification;

/* What one license file says (evidence_licfile.h): an SPDX expression
 * (a tag in it, or the identifier of its wording), or a `text` rule of
 * the rules file that matched it. */
typedef struct lg_licfile_says {
	const char *path;      /* the license file, in its layer's arena */
	uint32_t len;
	uint32_t layer;        /* 1-based position in the image */
	const char *target;    /* a symlinked license file: the file it leads
				* to (evidence_symlink.h), whose text this
				* is; NULL otherwise */
	uint32_t target_len;
	uint32_t target_layer; /* 1-based */
	uint64_t line;         /* of the tag, or where the wording or the text
				* rule matched; 0: not known */
	const char *expr;      /* NULL when text says it */
	uint32_t expr_len;
	const lg_rule *text;   /* the rule of the wording or the text rule */
} lg_licfile_says;

/* The license files of the directory nearest above a file: each is
 * evidence (several layers may hold one; all count, AND). */
#define LG_LICFILE_MAX 4
typedef struct lg_licfile_dir {
	size_t n;
	lg_licfile_says says[LG_LICFILE_MAX];
} lg_licfile_dir;

/* The outcome of one file, all a scan keeps (the evidence itself is
 * recomputed on demand by lg_classify() for the few files a report
 * details; the layer cache keeps these too, cache.h). */
typedef struct lg_file_result {
	uint8_t outcome;        /* enum lg_outcome */
	uint8_t level;          /* enum lg_level */
	const char *class_name; /* NULL: no class */
} lg_file_result;

/* Classify file f of layer l for target. */
void lg_classify(const lg_rules *rules, const lg_target *target,
		 const lg_layer *l, const lg_file *f, lg_classification *out);
/* The same with the license files governing its directory (may be NULL).
 * They count only when the file has no SPDX tag of its own and no path
 * rule matches it: a file's own license and a path rule are stronger. */
void lg_classify_dir(const lg_rules *rules, const lg_target *target,
		     const lg_layer *l, const lg_file *f, const lg_licfile_dir *lic,
		     lg_classification *out);

/* What lg_classify_with() keeps between the files of one layer for one
 * target: the last package's license, evaluated once for all its files
 * (they come together).  Zero it before the first file of a layer. */
typedef struct lg_classify_memo {
	const lg_package *package; /* whose evidence follows; NULL: none yet */
	enum lg_level level;
	const char *class_name;
	bool bad_identifier;
	lg_evidence evidence;
} lg_classify_memo;

/* lg_classify() for the files of one layer in turn, with memo (NULL:
 * none); the same classification. */
void lg_classify_with(const lg_rules *rules, const lg_target *target, const lg_layer *l,
		      const lg_file *f, lg_classify_memo *memo, lg_classification *out);

const char *lg_outcome_name(enum lg_outcome o);
const char *lg_evidence_kind_name(enum lg_evidence_kind k);

#endif
