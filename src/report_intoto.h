/* report_intoto.h - an in-toto Statement v1 for `cosign attest
 * --statement` (or --predicate with its predicate) and policy engines.
 *
 * The subject is each scanned image's manifest digest (a docker-archive:
 * its config digest, the image ID), named by its ref.name or RepoTag,
 * else by the IMAGE argument.  The predicate is the in-toto test-result
 * predicate (https://in-toto.io/attestation/test-result/v0.1) rather than
 * one of licgate's own, so that a policy a verifier already knows
 * ("predicate.result == PASSED") gates on it with no licgate-specific
 * schema:
 *   result         PASSED, WARNED (warnings, no violation) or FAILED;
 *   configuration  the rules file with its SHA-256, annotated with the
 *                  target, licgate's and the SPDX License List's versions
 *                  and the counts of files per class;
 *   failedTests    one line per violation: path, class, layer, evidence;
 *   warnedTests    one line per warning;
 *   passedTests    one line per class that is not denied, with its count.
 * The full evidence of every file is licgate's json report.
 */
#ifndef LICGATE_REPORT_INTOTO_H
#define LICGATE_REPORT_INTOTO_H

#include "report.h"

extern const lg_report_writer lg_report_intoto;

#endif
