/*
 * opt.h - the command line of every program, from one table.
 *
 * A program describes its options as rows of struct opt_spec; opt_parse()
 * parses argv with them (range checks and error texts included) and
 * opt_help() prints --help from the same rows, so the help cannot drift
 * from what is parsed.  Errors quote the bad value and name the option.
 */
#ifndef COMMON_OPT_H
#define COMMON_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum opt_kind {
    OPT_FLAG,   /* bool field, set to true */
    OPT_LONG,   /* long field, a whole number in [min, max] */
    OPT_DOUBLE, /* double field, a number in (0 when min is 0) [min, max] */
    OPT_STRING, /* const char * field, pointing into argv */
    OPT_CUSTOM, /* parse() does it (value is NULL for an option without arg) */
    OPT_HELP,   /* prints the help, opt_parse() returns OPT_EXIT */
    OPT_VERSION /* prints "PROG VERSION", opt_parse() returns OPT_EXIT */
};

struct opt_spec;

/* Parses value into the options struct opts.  Returns 0, or -1 with err
 * set (a whole sentence that quotes value). */
typedef int (*opt_parse_fn)(const struct opt_spec *s, const char *value, void *opts, char *err,
                            size_t cap);

struct opt_spec {
    const char *name;  /* long name without "--" */
    char short_name;   /* "-x", or 0 */
    enum opt_kind kind;
    size_t offset;     /* of the field in the options struct */
    double min, max;   /* OPT_LONG / OPT_DOUBLE range */
    const char *arg;   /* value's name in --help (NULL: takes no value) */
    const char *help;  /* N_() text, translated when printed */
    opt_parse_fn parse; /* OPT_CUSTOM */
};

struct opt_program {
    const char *name;    /* "chatd" */
    const char *version;
    const char *usage;   /* N_() synopsis and description, printed first */
    const char *epilog;  /* N_() text after the options (exit status...), or NULL */
    const struct opt_spec *table;
    size_t count;
};

enum opt_result {
    OPT_RUN = 0,   /* go on with the parsed options */
    OPT_EXIT = 1,  /* --help or --version was printed: exit 0 */
    OPT_USAGE = 2, /* bad command line, reason in err: exit 2 */
};

/* Parses argv[1..] with p's table into opts (whose defaults the caller set).
 * Arguments that are not options (and everything after "--") are stored in
 * pos[] in order, at most maxpos of them (more is a usage error); *npos says
 * how many.  --help/--version print to out. */
enum opt_result opt_parse(const struct opt_program *p, int argc, char *const argv[], void *opts,
                          const char **pos, size_t maxpos, size_t *npos, FILE *out, char *err,
                          size_t cap);

/* Prints usage, one line per option (its help text wrapped under it when
 * long), and the epilog. */
void opt_help(const struct opt_program *p, FILE *out);

#endif
