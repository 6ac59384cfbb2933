/* report_junit.h - JUnit XML for GitLab (artifacts:reports:junit),
 * Jenkins and the GitHub test-report actions; valid against the Jenkins
 * xunit plugin's junit-10.xsd.
 *
 * <testsuites> holds one <testsuite> per image (for the one target):
 * one <testcase> per denied file, named by its path, with a <failure>
 * whose message is the class and the evidence; then one passing testcase
 * per class that is not denied ("class MIT: 120 files"), so the counts
 * show in a CI's test view.  A scan that could not complete is one
 * testsuite with one <error> testcase carrying the message.  Strings from
 * the image are escaped by escape.h (lg_escape_markup).
 */
#ifndef LICGATE_REPORT_JUNIT_H
#define LICGATE_REPORT_JUNIT_H

#include "report.h"

extern const lg_report_writer lg_report_junit;

#endif
