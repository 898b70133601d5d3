/*
 * dates.h - the date of a post, for the {year}, {month} and {day}
 * placeholders of the target template.
 */

#ifndef DATES_H
#define DATES_H

#include <stddef.h>

#include "diag.h"
#include "frontmatter.h"

/* The front matter keys holding the date, in order of preference. */
#define POST_DATE_KEYS_TEXT  "publishDate, date or pubDate"

typedef struct {
    int  year;                  /* 0 - 9999 */
    int  month;                 /* 1 - 12 */
    int  day;                   /* 1 - 31 */
    int  zoned;                 /* a time and its zone were written */
    int  minutes;               /* that time, in minutes from midnight */
    int  offset;                /* that zone, in minutes east of UTC */
} post_date_t;

/*
 * Where a post's day is taken.  As written by default (Blogger's URLs and
 * Hugo's permalinks); Jekyll moves a timestamp to its site's timezone
 * (else the build machine's), Astro to the build machine's zone.
 */
typedef enum {
    DATE_ZONE_AS_WRITTEN = 0,
    DATE_ZONE_OFFSET,           /* a fixed offset: "UTC", "+05:30" */
    DATE_ZONE_NAMED             /* a zone of the tz database, set as TZ */
} date_zone_kind_t;

typedef struct {
    date_zone_kind_t  kind;
    int               offset;   /* DATE_ZONE_OFFSET: minutes east of UTC */
} date_zone_t;

/*
 * Parses "YYYY-MM-DD" (month and day may have one digit, as YAML's
 * timestamps allow), or an ISO 8601 / RFC 3339 timestamp:
 *     YYYY-MM-DD(T|t|blanks)HH:MM[:SS[.fraction]][blanks][zone]
 * where zone is Z, z, +HH, +HHMM or +HH:MM (or with '-') and the hour
 * may have one digit (as YAML allows), or a date with the month's
 * English name, as JavaScript's Date reads it: "Jul 08 2022",
 * "July 8, 2022", "Fri, 8 Jul 2022" (a time and zone may follow, as
 * above).  Surrounding blanks are ignored.
 * The date is the one written, in the timestamp's own zone, not moved to
 * UTC: Blogger's URLs and Hugo's permalinks use that day, so
 * "2023-03-31T23:30:00-05:00" is March 31.  Time and zone are checked.
 * Returns NULL, or why the text is not a valid date.
 */
const char *date_parse(const char *text, size_t len, post_date_t *out);

/*
 * The date of a post: the first of publishDate, date and pubDate (or the
 * field named, when field is not NULL) that is present and neither null
 * nor empty.  Returns 1 with out set, 0 when the post has none, -1 when
 * the value is invalid (reported at it).  The day is the one written;
 * see date_to_zone().
 */
int post_date(const frontmatter_t *fm, const char *field, post_date_t *out,
    diag_t *diag);

/*
 * Reads a --timezone value: "UTC", an offset ("+05:30", "-0800") or a
 * name of the tz database ("Europe/Berlin", looked for in $TZDIR or
 * /usr/share/zoneinfo), which then becomes the process's TZ: call it
 * before any thread starts.  Returns NULL, or why the name is no zone.
 */
const char *date_zone_set(date_zone_t *zone, const char *name);

/* The same, without setting TZ: whether name is a zone. */
const char *date_zone_check(date_zone_t *zone, const char *name);

/*
 * Moves a date written with a time and a zone to the day it is in zone
 * (nothing for a date alone, or a time without a zone: those are local
 * times wherever the site is built).  The year may then be -1 or 10000.
 */
void date_to_zone(post_date_t *date, const date_zone_t *zone);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
long days_from_civil(int year, int month, int day);
void civil_from_days(long days, post_date_t *out);

#endif /* DATES_H */
