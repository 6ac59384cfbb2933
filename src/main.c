/* main.c - licgate's command line: parse options, dispatch, map the result
 * to the exit status.  The pipeline itself lives in scan.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_rules.h"
#include "error.h"
#include "evidence_fingerprint.h"
#include "fingerprint_cmd.h"
#include "input.h"
#include "oci.h"
#include "pattern.h"
#include "report.h"
#include "report_formats.h"
#include "rules.h"
#include "scan.h"
#include "spdx_ids.h"
#include "util.h"

/* Exit statuses, documented in licgate(1). */
enum {
	EXIT_PASS = 0,
	EXIT_VIOLATIONS = 1,
	EXIT_ERROR = 2,
};

#define MAX_PLATFORMS 32
/* Reports one scan may write (--format, repeated). */
#define MAX_REPORTS 16

static const char USAGE[] =
	"usage: licgate scan [OPTIONS] IMAGE\n"
	"       licgate check-rules [--source DIR [--prefix DIR] [--strict] [--format text|json]] FILE\n"
	"       licgate fingerprint [--rules FILE] [--target NAME] [--prefix DIR] [-o OUT] DIR\n"
	"       licgate fingerprint --show OUT\n"
	"       licgate --help | --version\n"
	"\n"
	"Gate a container image on a license boundary: verify every blob, walk every\n"
	"file of every layer (deleted ones too), classify each file with a rules file.\n"
	"Exit status: 0 pass, 1 files of a denied class would ship, 2 could not complete.\n"
	"\n"
	"See `licgate scan --help`, licgate(1) and licgate-rules(5).\n";

static const char SCAN_USAGE[] =
	"usage: licgate scan [OPTIONS] IMAGE\n"
	"\n"
	"IMAGE is an OCI image layout directory, an oci-archive or `docker save`\n"
	"tarball (plain, gzip or zstd), or - for the same on standard input; or,\n"
	"with a transport (skopeo's names):\n"
	"  docker://REF             pull from a registry (alpine, ghcr.io/o/app:v1,\n"
	"                           localhost:5000/a@sha256:...), streamed, nothing stored\n"
	"  docker-daemon:REF        from the local Docker or Podman engine\n"
	"  oci:DIR[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF]\n"
	"\n"
	"  -r, --rules FILE        rules file (default: the built-in default.rules)\n"
	"  -t, --target NAME       publication target (default: the rules' first target)\n"
	"  -p, --platform OS/ARCH[/VARIANT]\n"
	"                          scan only images for this platform (repeatable;\n"
	"                          default: every platform)\n"
	"      --ref NAME          scan only images called NAME: an OCI ref.name\n"
	"                          annotation or a docker RepoTag (repeatable;\n"
	"                          default: every image)\n"
	"  -f, --format FMT[=FILE] a report in format FMT (below), written to FILE;\n"
	"                          repeatable: every report comes from the one scan.\n"
	"                          A bare FMT goes to --output or standard output\n"
	"                          (at most one).  Default: text\n"
	"  -o, --output FILE       write the bare-FMT report to FILE instead of\n"
	"                          standard output\n"
	"  -q, --quiet             no report on standard output; the exit status tells\n"
	"  -v, --verbose           text: list every warning, not only their number, and\n"
	"                          each layer whose cache entry was not trusted\n"
	"  -j, --jobs N            walk up to N layers at once (default: the number\n"
	"                          of online CPUs); the report does not depend on N\n"
	"      --cache-dir DIR     the layer cache (default: $XDG_CACHE_HOME/licgate,\n"
	"                          else ~/.cache/licgate)\n"
	"      --no-cache          neither read nor write the layer cache\n"
	"      --fingerprints SET  also match every file's content against the\n"
	"                          fingerprint set SET (`licgate fingerprint`);\n"
	"                          repeatable, added to the rules' `fingerprints`\n"
	"                          lines\n"
	"      --max-bytes N[KMG]  stop (exit 2) past N uncompressed bytes of layers\n"
	"                          (K, M, G: 1024, 1024^2, 1024^3)\n"
	"      --progress, --no-progress\n"
	"                          a progress line on standard error (default: only\n"
	"                          when it is a terminal)\n"
	"      --all-tags          IMAGE is docker://REPOSITORY: scan every tag, in\n"
	"                          one report; shared layers are pulled once\n"
	"      --tag-pattern REGEX only the tags REGEX matches (PCRE2, unanchored)\n"
	"      --creds-file FILE   registry credentials: USER:PASS on its first line,\n"
	"                          or an auth.json (default: REGISTRY_AUTH_FILE,\n"
	"                          podman's auth.json, ~/.docker/config.json)\n"
	"      --creds USER:PASS   the same on the command line (visible to ps)\n"
	"      --insecure-registry HOST\n"
	"                          unverified TLS for HOST, and plain HTTP where\n"
	"                          nothing speaks TLS (loopback: plain HTTP only)\n"
	"      --tls-verify=false  do not verify any registry's TLS certificate\n"
	"      --cert-dir DIR      trust DIR/*.crt, and present DIR/NAME.cert+.key,\n"
	"                          instead of /etc/containers/certs.d/HOST\n"
	"  -h, --help              this help\n"
	"\n"
	"Exit status: 0 pass, 1 violations, 2 could not complete.  Report files are\n"
	"written whole or not at all (a temporary file renamed into place); when the\n"
	"scan cannot complete, only junit writes one (an error testcase).\n"
	"\n"
	"Formats:\n";

static void print_scan_usage(void)
{
	fputs(SCAN_USAGE, stdout);
	for (size_t i = 0; lg_report_writers[i]; i++)
		printf("  %-15s %s\n", lg_report_writers[i]->name, lg_report_writers[i]->help);
}

static void LG_PRINTF(1, 2) __attribute__((noreturn)) die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("licgate: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'licgate --help'.\n", stderr);
	exit(EXIT_ERROR);
}

static int fail(lg_error *err)
{
	lg_error_print(err, stderr); /* escaped: it may quote the image */
	lg_error_clear(err);
	return EXIT_ERROR;
}

static int load_rules(const char *path, lg_rules **out, lg_error *err)
{
	return path ? lg_rules_load(path, out, err) : lg_rules_load_default(out, err);
}

/* One report to write, and where: FMT=FILE, or --output, or NULL for
 * standard output. */
typedef struct report_req {
	const lg_report_writer *w;
	const char *path;
	bool bare;   /* a bare FMT: goes to --output or standard output */
	FILE *f;     /* while written */
	char *tmp;   /* the temporary file renamed to path, or NULL */
} report_req;

typedef struct scan_args {
	const char *rules;
	const char *target;
	const char *output;
	report_req reports[MAX_REPORTS];
	size_t nreports;
	lg_platform_filter platforms[MAX_PLATFORMS];
	size_t nplatforms;
	const char *refs[MAX_PLATFORMS];
	size_t nrefs;
	const char *fingerprints[MAX_PLATFORMS];
	size_t nfingerprints;
	lg_report_options report;
	bool quiet;
	unsigned jobs;
	bool no_cache;
	const char *cache_dir;
	uint64_t max_bytes;
	int progress;
	const char *image;
	lg_remote_options remote;           /* --creds ... --all-tags */
	char *creds_copy;                   /* --creds USER:PASS, owned */
	const char *insecure[MAX_PLATFORMS];
} scan_args;

/* --jobs N: 1 to 1024. */
static unsigned parse_jobs(const char *s)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (errno || end == s || *end || n < 1 || n > 1024 || *s == '-' || *s == '+')
		die_usage("--jobs %s: want a number from 1 to 1024", s);
	return (unsigned)n;
}

/* --max-bytes N[KMG]: a positive count of bytes, in KiB, MiB or GiB. */
static uint64_t parse_bytes(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	unsigned shift = 0;
	if (*end && !end[1])
		shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 99;
	else if (*end)
		shift = 99;
	if (errno || end == s || *s < '0' || *s > '9' || n == 0 || shift == 99 ||
	    n > (UINT64_MAX >> shift))
		die_usage("--max-bytes %s: want a positive number of bytes, optionally "
			  "followed by K, M or G", s);
	return (uint64_t)n << shift;
}

/* --format FMT[=FILE] */
static void parse_format(const char *arg, scan_args *a)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const lg_report_writer *w = lg_report_writer_find(arg, len);
	if (!w) {
		lg_buf names = LG_BUF_INIT;
		for (size_t i = 0; lg_report_writers[i]; i++)
			lg_buf_appendf(&names, "%s%s", i ? ", " : "", lg_report_writers[i]->name);
		die_usage("--format %.*s: want one of %s, optionally followed by =FILE",
			  (int)len, arg, names.data);
	}
	if (eq && !eq[1])
		die_usage("--format %s: no FILE after '='", arg);
	if (a->nreports == MAX_REPORTS)
		die_usage("at most %d --format options", MAX_REPORTS);
	a->reports[a->nreports++] = (report_req){ .w = w, .path = eq ? eq + 1 : NULL, .bare = !eq };
}

/* After the options: the bare report goes to --output; text by default;
 * one report per destination. */
static void settle_reports(scan_args *a)
{
	if (a->nreports == 0)
		a->reports[a->nreports++] = (report_req){ .w = lg_report_default(), .bare = true };
	size_t bare = 0;
	for (size_t i = 0; i < a->nreports; i++)
		bare += a->reports[i].bare;
	if (bare > 1)
		die_usage("at most one --format without =FILE: it goes to %s",
			  a->output ? "--output" : "standard output");
	if (!bare && a->output)
		die_usage("--output %s: every --format names its own FILE", a->output);
	for (size_t i = 0; i < a->nreports; i++) {
		report_req *r = &a->reports[i];
		if (r->bare)
			r->path = a->output;
		for (size_t k = 0; k < i && r->path; k++)
			if (a->reports[k].path && strcmp(a->reports[k].path, r->path) == 0)
				die_usage("%s: two reports to one file", r->path);
	}
	/* --quiet: nothing on standard output. */
	size_t n = 0;
	for (size_t i = 0; i < a->nreports; i++)
		if (a->reports[i].path || !a->quiet)
			a->reports[n++] = a->reports[i];
	a->nreports = n;
}

static void parse_scan(int argc, char **argv, scan_args *a)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "target", required_argument, NULL, 't' },
		{ "platform", required_argument, NULL, 'p' },
		{ "ref", required_argument, NULL, 'R' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "cache-dir", required_argument, NULL, 'C' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "fingerprints", required_argument, NULL, 'F' },
		{ "max-bytes", required_argument, NULL, 'M' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ "creds", required_argument, NULL, 1000 },
		{ "creds-file", required_argument, NULL, 1001 },
		{ "insecure-registry", required_argument, NULL, 1002 },
		{ "tls-verify", required_argument, NULL, 1003 },
		{ "all-tags", no_argument, NULL, 1004 },
		{ "tag-pattern", required_argument, NULL, 1005 },
		{ "cert-dir", required_argument, NULL, 1006 },
		{ NULL, 0, NULL, 0 },
	};
	lg_error err = LG_ERROR_INIT;
	int c;
	opterr = 0; /* we say it ourselves, as "licgate: ..." */
	while ((c = getopt_long(argc, argv, ":r:t:p:f:o:qvj:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			a->rules = optarg;
			break;
		case 't':
			a->target = optarg;
			break;
		case 'p':
			if (a->nplatforms == MAX_PLATFORMS)
				die_usage("at most %d --platform options", MAX_PLATFORMS);
			if (lg_platform_filter_parse(optarg, &a->platforms[a->nplatforms++], &err) < 0)
				exit(fail(&err));
			break;
		case 'R':
			if (a->nrefs == MAX_PLATFORMS)
				die_usage("at most %d --ref options", MAX_PLATFORMS);
			a->refs[a->nrefs++] = optarg;
			break;
		case 'f':
			parse_format(optarg, a);
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'v':
			a->report.verbose = true;
			break;
		case 'j':
			a->jobs = parse_jobs(optarg);
			break;
		case 'C':
			a->cache_dir = optarg;
			break;
		case 'N':
			a->no_cache = true;
			break;
		case 'F':
			if (a->nfingerprints == MAX_PLATFORMS)
				die_usage("at most %d --fingerprints options", MAX_PLATFORMS);
			a->fingerprints[a->nfingerprints++] = optarg;
			break;
		case 'M':
			a->max_bytes = parse_bytes(optarg);
			break;
		case 'P':
		case 'Q':
			a->progress = c == 'P';
			break;
		case 'h':
			print_scan_usage();
			exit(EXIT_PASS);
		case 1000:
			fputs("licgate: warning: --creds shows the password to every user of this "
			      "machine (ps); prefer --creds-file or docker login\n", stderr);
			/* Keep a copy; overwrite the argument, so ps shows it only
			 * for the moment before this line. */
			free(a->creds_copy);
			a->creds_copy = lg_xstrdup(optarg);
			memset(optarg, 'x', strlen(optarg));
			a->remote.creds = a->creds_copy;
			break;
		case 1001:
			a->remote.creds_file = optarg;
			break;
		case 1002:
			if (a->remote.ninsecure == MAX_PLATFORMS)
				die_usage("at most %d --insecure-registry options", MAX_PLATFORMS);
			a->insecure[a->remote.ninsecure++] = optarg;
			a->remote.insecure = a->insecure;
			break;
		case 1003:
			if (strcmp(optarg, "true") != 0 && strcmp(optarg, "false") != 0)
				die_usage("--tls-verify %s: want true or false", optarg);
			a->remote.tls_verify_off = strcmp(optarg, "false") == 0;
			break;
		case 1004:
			a->remote.all_tags = true;
			break;
		case 1005:
			a->remote.tag_pattern = optarg;
			break;
		case 1006:
			a->remote.cert_dir = optarg;
			break;
		case ':':
			die_usage("scan: option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				die_usage("scan: unknown option '-%c'", optopt);
			die_usage("scan: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		die_usage(optind == argc ? "scan: no IMAGE given" : "scan: one IMAGE, please");
	a->image = argv[optind];
	if (a->remote.tag_pattern && !a->remote.all_tags)
		die_usage("--tag-pattern needs --all-tags");
	a->remote.verbose = a->report.verbose;
	settle_reports(a);
}

static mode_t current_umask(void)
{
	mode_t m = umask(022);
	umask(m);
	return m;
}

static bool want_color(const scan_args *a)
{
	const char *no = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	bool text_to_stdout = false;
	for (size_t i = 0; i < a->nreports; i++)
		text_to_stdout |= a->reports[i].w == lg_report_default() && !a->reports[i].path;
	return text_to_stdout && !(no && *no) &&
	       !(term && strcmp(term, "dumb") == 0) && isatty(STDOUT_FILENO);
}

/* A device or a FIFO (--output /dev/stdout) is written in place. */
static bool is_special(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

/* Open r's stream: standard output, a special file in place, or a
 * temporary file beside the report, renamed over it once it is whole: a
 * reader never sees half a report. */
static int report_open(report_req *r, lg_error *err)
{
	if (!r->path) {
		r->f = stdout;
		return 0;
	}
	if (is_special(r->path)) {
		r->f = fopen(r->path, "w");
		return r->f ? 0 : lg_err_errno(err, errno, "%s", r->path);
	}
	r->tmp = lg_xasprintf("%s.XXXXXX", r->path);
	int fd = mkostemp(r->tmp, O_CLOEXEC);
	r->f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!r->f) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(r->tmp);
		}
		free(r->tmp);
		r->tmp = NULL;
		return lg_err_errno(err, e, "%s", r->path);
	}
	fchmod(fd, 0644 & ~current_umask());
	return 0;
}

/* Close r's stream (not standard output: main() does), and put the report
 * in place when keep; else remove what was written. */
static int report_close(report_req *r, bool keep, lg_error *err)
{
	int ret = 0;
	if (r->f && r->f != stdout && fclose(r->f) != 0 && keep)
		ret = lg_err_errno(err, errno, "%s", r->path);
	r->f = NULL;
	if (r->tmp) {
		if (keep && ret == 0 && rename(r->tmp, r->path) < 0)
			ret = lg_err_errno(err, errno, "%s", r->path);
		if (!keep || ret < 0)
			unlink(r->tmp);
		free(r->tmp);
		r->tmp = NULL;
	}
	return ret;
}

/* Every report from the one scan; all of them are put in place, or none. */
static int write_reports(const lg_scan *s, scan_args *a, lg_error *err)
{
	lg_report_out outs[MAX_REPORTS];
	size_t n = 0;
	int r = 0;
	for (; n < a->nreports && r == 0; n++) {
		r = report_open(&a->reports[n], err);
		outs[n] = (lg_report_out){ .w = a->reports[n].w, .out = a->reports[n].f };
	}
	if (r == 0)
		r = lg_report_run(s, &a->report, outs, n, err);
	/* Every stream is closed (checked) before anything is renamed. */
	for (size_t i = 0; i < n; i++) {
		report_req *q = &a->reports[i];
		if (q->f && q->f != stdout && fclose(q->f) != 0 && r == 0)
			r = lg_err_errno(err, errno, "%s", q->path);
		q->f = NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (report_close(&a->reports[i], r == 0, err) < 0)
			r = -1;
	return r;
}

/* The scan could not complete: an old report must not pass for this
 * scan's, so each report file is removed (remove_old; after a rules error
 * they are left as they were), and the formats that describe a failure
 * (junit's error testcase) write that instead. */
static void write_failure(scan_args *a, const lg_rules *rules, const char *message,
			  bool remove_old)
{
	lg_report_failure fl = {
		.image = a->image,
		.rules = rules ? lg_rules_name(rules) : a->rules,
		.target = a->target,
		.message = message,
	};
	for (size_t i = 0; i < a->nreports; i++) {
		report_req *r = &a->reports[i];
		if (remove_old && r->path && !is_special(r->path))
			unlink(r->path);
		if (!r->w->failed)
			continue;
		lg_error err = LG_ERROR_INIT;
		if (report_open(r, &err) == 0) {
			r->w->failed(&fl, r->f);
			bool ok = fflush(r->f) == 0 && !ferror(r->f);
			report_close(r, ok, &err);
		}
		lg_error_clear(&err);
	}
}

/* fail(), after the reports of a scan that could not complete. */
static int fail_scan(scan_args *a, const lg_rules *rules, lg_error *err)
{
	write_failure(a, rules, lg_error_msg(err), rules != NULL);
	return fail(err);
}

/* The fingerprint sets the rules name and --fingerprints give, as one
 * set (*out stays NULL when there are none). */
static int load_fingerprints(const lg_rules *rules, const char *const *extra, size_t nextra,
			     lg_fpset **out, lg_error *err)
{
	for (size_t i = 0; i < lg_rules_fingerprint_count(rules); i++) {
		unsigned line;
		const char *path = lg_rules_fingerprint_at(rules, i, &line);
		if (lg_fpset_load(out, path, err) < 0)
			return lg_err_prefix(err, "%s:%u: fingerprints", lg_rules_name(rules), line);
	}
	for (size_t i = 0; i < nextra; i++)
		if (lg_fpset_load(out, extra[i], err) < 0)
			return -1;
	return 0;
}

/* Wipe and free a secret when it leaves scope. */
static void wipe_freep(char **p)
{
	if (*p)
		explicit_bzero(*p, strlen(*p));
	free(*p);
}

static int cmd_scan(int argc, char **argv)
{
	scan_args a = { .progress = -1 };
	parse_scan(argc, argv, &a);
	__attribute__((cleanup(wipe_freep))) char *creds = a.creds_copy;
	a.report.color = want_color(&a);

	lg_error err = LG_ERROR_INIT;
	lg_rules *rules = NULL;
	if (load_rules(a.rules, &rules, &err) < 0)
		return fail_scan(&a, NULL, &err);
	const lg_target *target = lg_rules_target(rules, a.target);
	if (!target) {
		if (a.target)
			lg_err(&err, "%s: no target \"%s\"", lg_rules_name(rules), a.target);
		else
			lg_err(&err, "%s: the rules define no target", lg_rules_name(rules));
		write_failure(&a, rules, lg_error_msg(&err), false);
		lg_rules_free(rules);
		return fail(&err);
	}
	lg_fpset *fingerprints = NULL;
	if (load_fingerprints(rules, a.fingerprints, a.nfingerprints, &fingerprints, &err) < 0) {
		lg_fpset_free(fingerprints);
		lg_rules_free(rules);
		return fail(&err);
	}
	lg_scan_options opts = {
		.fingerprints = fingerprints,
		.image = a.image,
		.select = {
			.platforms = a.platforms,
			.nplatforms = a.nplatforms,
			.refs = a.refs,
			.nrefs = a.nrefs,
		},
		.rules = rules,
		.target = target,
		.jobs = a.jobs,
		.no_cache = a.no_cache,
		.max_bytes = a.max_bytes,
		.progress = a.progress,
		.cache_dir = a.cache_dir,
		.remote = &a.remote,
	};
	for (size_t i = 0; i < a.nreports; i++)
		opts.file_hashes |= (a.reports[i].w->needs & LG_REPORT_FILE_HASHES) != 0;
	lg_scan *scan = NULL;
	int status;
	if (lg_scan_run(&opts, &scan, &err) < 0) {
		status = fail_scan(&a, rules, &err);
	} else if (write_reports(scan, &a, &err) < 0) {
		status = fail_scan(&a, rules, &err);
	} else {
		status = lg_scan_passed(scan) ? EXIT_PASS : EXIT_VIOLATIONS;
	}
	lg_scan_free(scan);
	lg_fpset_free(fingerprints);
	lg_rules_free(rules);
	return status;
}

/* A set made with other rules may be stale: say so. */
static size_t lint_fingerprints(const lg_rules *rules, FILE *out)
{
	size_t n = 0;
	for (size_t i = 0; i < lg_rules_fingerprint_count(rules); i++) {
		unsigned line;
		const char *path = lg_rules_fingerprint_at(rules, i, &line);
		lg_fpset *s = NULL;
		lg_error err = LG_ERROR_INIT;
		if (lg_fpset_load(&s, path, &err) == 0 &&
		    strcmp(lg_fpset_rules_digest(s), lg_rules_digest(rules)) != 0) {
			fprintf(out, "%s:%u: warning: fingerprint set %s was made with other rules "
				"(%s); make it again with `licgate fingerprint`\n",
				lg_rules_name(rules), line, path, lg_fpset_rules_digest(s));
			n++;
		}
		lg_error_clear(&err);
		lg_fpset_free(s);
	}
	return n;
}

static const char CHECK_RULES_USAGE[] =
	"usage: licgate check-rules FILE\n"
	"       licgate check-rules --source DIR [--prefix DIR] [--target NAME] [--strict]\n"
	"                           [--no-dockerignore] [--format text|json] [--verbose] FILE\n\n"
	"Parse and lint a rules file: exit 0, or 2 with FILE:LINE messages.\n"
	"Lint findings are printed as warnings and do not change the status.\n\n"
	"With --source, also apply it to the source checkout DIR as `COPY . PREFIX`\n"
	"would land it in an image (DIR/.dockerignore applied): the files per class,\n"
	"every file of no class (unknown) and every rule that matches nothing (dead).\n"
	"  --prefix DIR        where the build copies DIR in the image (default /)\n"
	"  --target NAME       the target that decides between classes (default: the first)\n"
	"  --strict            exit 1 when a file is unknown or a rule is dead\n"
	"  --no-dockerignore   do not apply DIR/.dockerignore\n"
	"  --format text|json  the report's format (default text)\n"
	"  --verbose           also list license rules that decide no identifier found\n";

static int cmd_check_rules(int argc, char **argv)
{
	lg_check_options co = { .prefix = "/" };
	const char *target = NULL, *file = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(CHECK_RULES_USAGE, stdout);
			return EXIT_PASS;
		} else if (strcmp(a, "--strict") == 0) {
			co.strict = true;
		} else if (strcmp(a, "--no-dockerignore") == 0) {
			co.no_dockerignore = true;
		} else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
			co.verbose = true;
		} else if (strcmp(a, "--source") == 0 || strcmp(a, "--prefix") == 0 ||
			   strcmp(a, "--target") == 0 || strcmp(a, "--format") == 0) {
			if (i + 1 >= argc)
				die_usage("check-rules: %s needs a value", a);
			const char *v = argv[++i];
			if (a[2] == 's')
				co.source = v;
			else if (a[2] == 'p')
				co.prefix = v;
			else if (a[2] == 't')
				target = v;
			else if (strcmp(v, "json") == 0 || strcmp(v, "text") == 0)
				co.json = strcmp(v, "json") == 0;
			else
				die_usage("check-rules: --format text or json, not '%s'", v);
		} else if (a[0] == '-' && a[1]) {
			die_usage("check-rules: unknown option '%s'", a);
		} else if (!file) {
			file = a;
		} else {
			die_usage("check-rules: one FILE, please");
		}
	}
	if (!file)
		die_usage("check-rules: one FILE, please");
	if (!co.source && (co.strict || co.json || target || co.verbose || strcmp(co.prefix, "/") != 0 ||
			   co.no_dockerignore))
		die_usage("check-rules: --prefix, --target, --strict, --format and "
			  "--no-dockerignore go with --source DIR");
	if (co.prefix[0] != '/')
		die_usage("check-rules: --prefix must be an absolute path in the image");
	lg_error err = LG_ERROR_INIT;
	lg_rules *rules = NULL;
	if (lg_rules_load(file, &rules, &err) < 0)
		return fail(&err);
	size_t n = lg_rules_lint(rules, stderr);
	n += lg_spdx_lint_rules(rules, stderr);
	lg_fpset *fingerprints = NULL;
	int bad = load_fingerprints(rules, NULL, 0, &fingerprints, &err);
	lg_fpset_free(fingerprints);
	if (bad < 0) {
		lg_rules_free(rules);
		return fail(&err);
	}
	n += lint_fingerprints(rules, stderr);
	if (!co.source) {
		printf("%s: ok, %zu target%s, %zu warning%s\n", file,
		       lg_rules_target_count(rules), lg_rules_target_count(rules) == 1 ? "" : "s",
		       n, n == 1 ? "" : "s");
		lg_rules_free(rules);
		return EXIT_PASS;
	}
	co.target = lg_rules_target(rules, target);
	if (!co.target) {
		lg_rules_free(rules);
		if (target)
			die_usage("check-rules: no target '%s' in %s", target, file);
		die_usage("check-rules: %s defines no target", file);
	}
	/* "/app/" and "/app" are the same place. */
	char *prefix = lg_xstrdup(co.prefix);
	for (size_t l = strlen(prefix); l > 1 && prefix[l - 1] == '/';)
		prefix[--l] = '\0';
	co.prefix = prefix;
	int r = lg_check_source(rules, &co, stdout, &err);
	free(prefix);
	lg_rules_free(rules);
	if (r < 0)
		return fail(&err);
	return r ? EXIT_VIOLATIONS : EXIT_PASS;
}

static const char FINGERPRINT_USAGE[] =
	"usage: licgate fingerprint [OPTIONS] SOURCE-DIR\n"
	"       licgate fingerprint --show SET\n"
	"\n"
	"Make the fingerprint set of the files of SOURCE-DIR that the target denies,\n"
	"for `licgate scan --fingerprints SET` (licgate-fingerprints(5)).\n"
	"\n"
	"  -r, --rules FILE   rules file (default: the built-in default.rules)\n"
	"  -t, --target NAME  publication target (default: the rules' first target)\n"
	"      --prefix DIR   where the tree lands in the image (default: /)\n"
	"  -o, --output OUT   the set file (default: standard output)\n"
	"      --show SET     list what the set SET holds\n";

static int cmd_fingerprint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "target", required_argument, NULL, 't' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ "show", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rules_path = NULL, *target_name = NULL, *show = NULL;
	lg_fingerprint_options o = { .prefix = "/" };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":r:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rules_path = optarg;
			break;
		case 't':
			target_name = optarg;
			break;
		case 'P':
			if (optarg[0] != '/')
				die_usage("fingerprint: --prefix %s: want an absolute path", optarg);
			o.prefix = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'S':
			show = optarg;
			break;
		case 'h':
			fputs(FINGERPRINT_USAGE, stdout);
			exit(EXIT_PASS);
		case ':':
			die_usage("fingerprint: option '%s' needs a value", argv[optind - 1]);
		default:
			die_usage("fingerprint: unknown option '%s'", argv[optind - 1]);
		}
	}
	lg_error err = LG_ERROR_INIT;
	if (show) {
		if (optind != argc)
			die_usage("fingerprint: --show takes no SOURCE-DIR");
		return lg_fingerprint_show(show, &err) < 0 ? fail(&err) : EXIT_PASS;
	}
	if (optind != argc - 1)
		die_usage(optind == argc ? "fingerprint: no SOURCE-DIR given"
					 : "fingerprint: one SOURCE-DIR, please");
	o.source = argv[optind];
	lg_rules *rules = NULL;
	if (load_rules(rules_path, &rules, &err) < 0)
		return fail(&err);
	o.target = lg_rules_target(rules, target_name);
	int status = EXIT_PASS;
	if (!o.target) {
		lg_err(&err, "%s: no target \"%s\"", lg_rules_name(rules),
		       target_name ? target_name : "(first)");
		status = fail(&err);
	} else if (lg_fingerprint_make(rules, &o, &err) < 0) {
		status = fail(&err);
	}
	lg_rules_free(rules);
	return status;
}

/* First-touch page faults are much of a scan's cost on a virtual machine
 * (a fresh 4 KiB page there costs as much as hashing 10 KiB), so malloc is
 * asked for fewer, larger pages: one heap for every thread, grown 64 MiB
 * at a time, large blocks included, with the kernel invited to back it
 * with transparent huge pages (MADV_HUGEPAGE: used where THP is "madvise",
 * the Debian and Ubuntu default; a no-op where it is "never").  A warm
 * scan of the benchmark image goes from about 800 page faults to 550 and
 * takes a quarter less time; a cold one, 6,600 to 800.  Only a hint:
 * under valgrind or ASan, malloc is theirs and this changes nothing; and
 * whoever tunes glibc's malloc through the environment keeps their say. */
static void tune_memory(void)
{
	enum { MIB = 1024 * 1024, HUGE = 2 * MIB };
	if (getenv("GLIBC_TUNABLES") || getenv("MALLOC_ARENA_MAX") ||
	    getenv("MALLOC_MMAP_THRESHOLD_") || getenv("MALLOC_TOP_PAD_") ||
	    getenv("MALLOC_TRIM_THRESHOLD_"))
		return;
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 32 * MIB);
	mallopt(M_TRIM_THRESHOLD, 128 * MIB);
	mallopt(M_TOP_PAD, 64 * MIB);
	void *p = malloc(HUGE); /* more than the heap has yet: it grows, padded */
	uintptr_t top = (uintptr_t)sbrk(0);
	uintptr_t from = ((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
	uintptr_t to = top & ~(uintptr_t)(HUGE - 1);
	if (p && (uintptr_t)p < top && top - (uintptr_t)p < 256 * MIB && to > from)
		(void)madvise((void *)from, to - from, MADV_HUGEPAGE);
	free(p);
}

int main(int argc, char **argv)
{
	tune_memory();
	/* A read lease, taken and let go at once to learn that nobody writes
	 * a blob file (input_layout.c), is broken with SIGIO if somebody opens
	 * it for writing meanwhile: not a reason to die. */
	signal(SIGIO, SIG_IGN);
	/* libarchive converts PAX (UTF-8) names to the locale's charset: make
	 * that UTF-8 whatever the environment says, so names stay bytes. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "C");
	if (argc < 2)
		die_usage("no command given");
	const char *cmd = argv[1];
	int status;
	if (strcmp(cmd, "scan") == 0) {
		status = cmd_scan(argc - 1, argv + 1);
	} else if (strcmp(cmd, "check-rules") == 0) {
		status = cmd_check_rules(argc - 1, argv + 1);
	} else if (strcmp(cmd, "fingerprint") == 0) {
		status = cmd_fingerprint(argc - 1, argv + 1);
	} else if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(USAGE, stdout);
		status = EXIT_PASS;
	} else if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("licgate %s\nSPDX lists: %s\n", LICGATE_VERSION, lg_spdx_list_version());
		status = EXIT_PASS;
	} else {
		die_usage("unknown command '%s'", cmd);
	}
	lg_pattern_thread_done();
	/* A report that could not be written is not a pass. */
	if (fclose(stdout) != 0 && status != EXIT_ERROR) {
		fprintf(stderr, "licgate: standard output: %s\n", strerror(errno));
		status = EXIT_ERROR;
	}
	return status;
}
