/* rules.h - the rules file: classes, publication targets, and the rules that
 * map evidence (SPDX identifiers, paths) to classes.  Format: licgate-rules(5).
 *
 * Ownership: an lg_rules owns everything reachable from it; every pointer the
 * accessors return (targets, rules, strings) lives until lg_rules_free().
 * Matching functions may be called from several threads at once: patterns
 * are only read (pattern.h), and a match that gives up is recorded for the
 * thread that made it (lg_rules_match_error()).
 */
#ifndef LICGATE_RULES_H
#define LICGATE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* How restrictive a piece of evidence is; the order matters: a file's
 * result is the maximum over its evidence. */
enum lg_level {
	LG_LEVEL_ALLOW = 0,
	LG_LEVEL_UNKNOWN = 1,
	LG_LEVEL_DENY = 2,
};

/* What a target does with a file whose result is unknown. */
enum lg_unknown {
	LG_UNKNOWN_ALLOW,
	LG_UNKNOWN_WARN,
	LG_UNKNOWN_DENY,
};

enum lg_rule_kind {
	LG_RULE_LICENSE, /* license ID... CLASS */
	LG_RULE_PATH,    /* path PATTERN CLASS */
	LG_RULE_EXEMPT,  /* exempt PATTERN "REASON" */
	LG_RULE_TEXT,    /* text "PHRASE" CLASS, text re:REGEX CLASS */
	LG_RULE_LICENSE_TEXT, /* built in: the wording of a license text
			       * (license_texts.h); matched in license files */
	LG_RULE_LICENSE_FILE, /* license-file PATTERN...: more license file names */
};

/* One rule as written, for evidence ("FILE:LINE"). */
typedef struct lg_rule {
	enum lg_rule_kind kind;
	const char *file;       /* rules file name as given to the loader */
	unsigned line;          /* 1-based line of the rule */
	const char *pattern;    /* as written: SPDX id glob, path glob, phrase, re:REGEX */
	const char *class_name; /* LICENSE, PATH and TEXT rules; NULL for EXEMPT */
	const char *reason;     /* EXEMPT rules; NULL otherwise */
	const char *license_id; /* LICENSE_TEXT rules: the SPDX id of the text */
} lg_rule;

typedef struct lg_rules lg_rules;
typedef struct lg_target lg_target;

/* Parse rules text.  name is used in messages and evidence (copied).
 * On error returns -1 with err holding one "NAME:LINE: message" line per
 * problem found (every error, not only the first); *out is untouched. */
int lg_rules_parse(const char *name, const char *text, size_t len,
		   lg_rules **out, lg_error *err);

/* Read and parse the file at path (name = path as given). */
int lg_rules_load(const char *path, lg_rules **out, lg_error *err);

/* Parse the rules built into the binary (rules/default.rules), named
 * "builtin:default.rules". */
int lg_rules_load_default(lg_rules **out, lg_error *err);

void lg_rules_free(lg_rules *rules);

const char *lg_rules_name(const lg_rules *rules);
/* "sha256:<hex>" of the rules text, so a report names the exact rules. */
const char *lg_rules_digest(const lg_rules *rules);

/* Lint: print one "NAME:LINE: warning: message" line per finding to out
 * (classes used but not declared, targets naming unknown classes, classes
 * a target neither allows nor denies, duplicate definitions, a rules file
 * with no target).  Returns the number of findings. */
size_t lg_rules_lint(const lg_rules *rules, FILE *out);

/* The target called name, or the first target when name is NULL; NULL
 * when there is no such target. */
const lg_target *lg_rules_target(const lg_rules *rules, const char *name);
size_t lg_rules_target_count(const lg_rules *rules);
const lg_target *lg_rules_target_at(const lg_rules *rules, size_t i);

const char *lg_target_name(const lg_target *target);
enum lg_unknown lg_target_unknown(const lg_target *target);
/* true when the target allows no class and denies unknown files: every
 * file fails it (an image that must never be published there). */
bool lg_target_ships_nothing(const lg_target *target);
/* ALLOW or DENY as the target lists the class; UNKNOWN for a class the
 * target does not list (or no class at all).  Class names of the rules
 * (lg_rule.class_name, lg_rules_class_interned()) are compared by
 * pointer; another string is compared by its bytes. */
enum lg_level lg_target_class_level(const lg_target *target,
				    const char *class_name);
/* The rules' one copy of class name (every class name the rules use is
 * kept once, so that names compare by pointer), or NULL when the rules
 * use no such class. */
const char *lg_rules_class_interned(const lg_rules *rules, const char *name);

/* The last path rule whose pattern matches the normalized absolute path
 * (bytes, not necessarily UTF-8), or NULL. */
const lg_rule *lg_rules_match_path(const lg_rules *rules, const char *path,
				   size_t len);
/* The last license rule whose pattern matches the SPDX identifier
 * (case-insensitive; '*' globs), or NULL. */
const lg_rule *lg_rules_match_license(const lg_rules *rules, const char *id,
				      size_t len);
/* The last exempt rule whose pattern matches the path, or NULL. */
const lg_rule *lg_rules_match_exempt(const lg_rules *rules, const char *path,
				     size_t len);

/* Path and exempt patterns are regexes with work limits (pattern.h).
 * A match that hits them has no answer: the query functions then go on as
 * if the rule did not match, and record the failure, each thread its own.
 * lg_rules_match_error() returns -1 with err naming the first such rule
 * (FILE:LINE) and its subject in the calling thread since the last call
 * (and forgets it), else 0: check it after classifying, in the thread that
 * classified, and do not pass an image when it fails (exit 2). */
int lg_rules_match_error(const lg_rules *rules, lg_error *err);

/* How far into a file `text` rules look: license headers and license
 * texts are at the top; a phrase deep in code is more often a mention
 * (a string, a comment about the license) than the file's license. */
#define LG_TEXT_HEAD (32 * 1024)
/* `text header ...` rules look at a file's header only: its first bytes,
 * where a license header is; a README or a notices file that names a
 * license further down does not match (and the match costs less). */
#define LG_TEXT_HEADER 2048

/* Directory license files (licgate-rules(5)): on unless the rules say
 * `license-files off`.  lg_rules_is_license_file(): is the file at path a
 * license file (a name licgate knows, or one a `license-file` rule adds)? */
bool lg_rules_license_files(const lg_rules *rules);
bool lg_rules_is_license_file(const lg_rules *rules, const char *path, size_t len);
/* Does the walk match the built-in license texts against the head of the
 * file at path: a license file, or (license files on) a file of a
 * licenses/ directory, where a symlinked license file may lead
 * (license_texts.h, lg_license_text_dir)? */
bool lg_rules_reads_license_text(const lg_rules *rules, const char *path, size_t len);
/* The license-file rules, in file order (their patterns key cached walks). */
size_t lg_rules_license_file_count(const lg_rules *rules);
const lg_rule *lg_rules_license_file_at(const lg_rules *rules, size_t i);

/* The text rules: the rules file's, in file order, then (when license
 * files are on) the built-in license-text rules (kind LG_RULE_LICENSE_TEXT,
 * no class), which the walk matches against license files only (and the
 * files of a licenses/ directory: lg_rules_reads_license_text()) and which
 * are never evidence about the file itself.  lg_rules_user_text_count()
 * counts the former.  lg_rules_text_match() is 1 when rule i
 * matches data[0..len) (the head of a file), 0 when it does not, -1 when
 * the match hit the regex work limits (no answer: the caller fails). */
size_t lg_rules_text_count(const lg_rules *rules);
size_t lg_rules_user_text_count(const lg_rules *rules);
const lg_rule *lg_rules_text_at(const lg_rules *rules, size_t i);
int lg_rules_text_match(const lg_rules *rules, size_t i, const char *data,
			size_t len);
/* The same, and on a match the offset in data where it starts in *start
 * (may be NULL), so that evidence names the line of the phrase. */
int lg_rules_text_match_at(const lg_rules *rules, size_t i, const char *data, size_t len,
			   size_t *start);

/* `fingerprints FILE` lines: the set files they name (relative paths
 * resolved against the rules file's directory) and their lines. */
size_t lg_rules_fingerprint_count(const lg_rules *rules);
const char *lg_rules_fingerprint_at(const lg_rules *rules, size_t i, unsigned *line);
/* The path (kind LG_RULE_PATH) or exempt (LG_RULE_EXEMPT) rules in file
 * order, each matched on its own (check-rules: which rules match nothing);
 * lg_rules_pattern_match() is 1, 0, or -1 when the match gave up. */
size_t lg_rules_pattern_count(const lg_rules *rules, enum lg_rule_kind kind);
const lg_rule *lg_rules_pattern_at(const lg_rules *rules, enum lg_rule_kind kind, size_t i);
int lg_rules_pattern_match(const lg_rules *rules, enum lg_rule_kind kind, size_t i,
			   const char *path, size_t len);
/* Could that rule match some path starting with start[0..len)?  1, 0, or
 * -1 for no answer (pattern.h, lg_pattern_may_continue). */
int lg_rules_pattern_reaches(const lg_rules *rules, enum lg_rule_kind kind, size_t i,
			     const char *start, size_t len);

/* The license rules in file order, for checks over the rules themselves. */
size_t lg_rules_license_count(const lg_rules *rules);
const lg_rule *lg_rules_license_at(const lg_rules *rules, size_t i);

/* Lower-case name of a level / unknown action, for reports. */
const char *lg_level_name(enum lg_level level);
const char *lg_unknown_name(enum lg_unknown action);

#endif
