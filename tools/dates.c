/*
 * dates.c - the date of a post, see dates.h.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "dates.h"


/* Shown in messages at most, for a value that is not a date at all. */
#define SHOWN_MAX        64

static const char *const date_keys[] = { "publishDate", "date", "pubDate" };

typedef struct {
    const char  *p;
    const char  *end;
} cursor_t;

/*
 * The calendar arithmetic counts years from March: then the leap day is
 * the last day of a year, and the month lengths from March on repeat
 * the pattern 31 30 31 30 31 in five-month groups of 153 days, so the day
 * of the year comes from a linear formula.  Gregorian years repeat every
 * 400 years (an "era") of 146097 days.  719468 is the number of days
 * from 0000-03-01 to 1970-01-01.
 */
long
days_from_civil(int year, int month, int day)
{
    long  y = month <= 2 ? year - 1 : year;     /* March-based year */
    long  era = (y >= 0 ? y : y - 399) / 400;
    long  year_of_era = y - era * 400;                    /* 0 - 399 */
    long  march_month = month > 2 ? month - 3 : month + 9;  /* 0 - 11 */
    long  day_of_year = (153 * march_month + 2) / 5 + day - 1;
    long  day_of_era = year_of_era * 365 + year_of_era / 4
                       - year_of_era / 100 + day_of_year;

    return era * 146097 + day_of_era - 719468;
}

void
civil_from_days(long days, post_date_t *out)
{
    long  z = days + 719468;
    long  era = (z >= 0 ? z : z - 146096) / 146097;
    long  day_of_era = z - era * 146097;                /* 0 - 146096 */
    long  year_of_era, day_of_year, march_month;

    /* remove the leap days before dividing by 365 */
    year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
                   - day_of_era / 146096) / 365;
    day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4
                                - year_of_era / 100);
    march_month = (5 * day_of_year + 2) / 153;

    out->day = (int) (day_of_year - (153 * march_month + 2) / 5 + 1);
    out->month = (int) (march_month < 10 ? march_month + 3 : march_month - 9);
    out->year = (int) (year_of_era + era * 400 + (out->month <= 2));
}

static int
is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month(int year, int month)
{
    static const int  days[] = { 31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31 };

    return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

static int
at_end(const cursor_t *c)
{
    return c->p == c->end;
}

static int
next_is(const cursor_t *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

static int
is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Reads from min to max decimal digits.  Returns 0, or -1 when fewer
 * than min digits are there. */
static int
read_number(cursor_t *c, int min, int max, int *value)
{
    int  n = 0;

    *value = 0;
    while (n < max && c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        *value = *value * 10 + (*c->p - '0');
        c->p++;
        n++;
    }

    return n >= min ? 0 : -1;
}

static int
read_char(cursor_t *c, char ch)
{
    if (!next_is(c, ch)) {
        return -1;
    }
    c->p++;
    return 0;
}

static void
skip_blanks(cursor_t *c)
{
    while (c->p < c->end && is_blank(*c->p)) {
        c->p++;
    }
}

/* HH:MM[:SS[.fraction]]; the seconds do not matter for the date. */
static const char *
read_time(cursor_t *c, int *minutes)
{
    int  hour, minute, second;

    if (read_number(c, 1, 2, &hour) != 0 || read_char(c, ':') != 0
        || read_number(c, 2, 2, &minute) != 0)
    {
        return "expected a time HH:MM after the date";
    }

    if (next_is(c, ':')) {
        c->p++;
        if (read_number(c, 2, 2, &second) != 0) {
            return "expected seconds after HH:MM:";
        }
        if (second > 60) {                      /* 60: a leap second */
            return "seconds out of range";
        }
        if (next_is(c, '.')) {
            c->p++;
            if (read_number(c, 1, 1, &second) != 0) {
                return "expected digits after the decimal point";
            }
            while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
                c->p++;
            }
        }
    }

    if (hour > 23 || minute > 59) {
        return "time out of range";
    }

    *minutes = hour * 60 + minute;
    return NULL;
}

static int
is_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/*
 * Z, or +HH, +HHMM, +HH:MM (or '-'), as minutes east of UTC; also GMT,
 * UTC or UT, alone (RFC 822 and HTTP dates, "Sat, 09 Dec 2023 10:00:00
 * GMT") or before an offset (JavaScript's "GMT+0100").
 */
static const char *
read_zone(cursor_t *c, int *offset)
{
    static const char *const  utc[] = { "GMT", "UTC", "UT" };
    size_t                    i, n;
    int                       sign, hours, minutes = 0;

    if (next_is(c, 'Z') || next_is(c, 'z')) {
        c->p++;
        *offset = 0;
        return NULL;
    }

    for (i = 0; i < sizeof(utc) / sizeof(utc[0]); i++) {
        n = strlen(utc[i]);
        if ((size_t) (c->end - c->p) >= n
            && strncasecmp(c->p, utc[i], n) == 0
            && (c->p + n == c->end || !is_letter(c->p[n])))
        {
            c->p += n;
            *offset = 0;
            if (!next_is(c, '+') && !next_is(c, '-')) {
                return NULL;
            }
            break;
        }
    }

    if (!next_is(c, '+') && !next_is(c, '-')) {
        return "expected a zone (Z, GMT or an offset like +01:00) "
               "after the time";
    }
    sign = *c->p++ == '-' ? -1 : 1;

    if (read_number(c, 1, 2, &hours) != 0) {
        return "expected the hours of the zone offset";
    }
    if (next_is(c, ':')) {
        c->p++;
    }
    if (!at_end(c) && read_number(c, 2, 2, &minutes) != 0) {
        return "expected the minutes of the zone offset";
    }

    if (hours > 23 || minutes > 59) {
        return "zone offset out of range";
    }

    *offset = sign * (hours * 60 + minutes);
    return NULL;
}

static const char *
read_date(cursor_t *c, post_date_t *date)
{
    /* one-digit months and days too, as YAML's timestamps allow them */
    if (read_number(c, 4, 4, &date->year) != 0 || read_char(c, '-') != 0
        || read_number(c, 1, 2, &date->month) != 0
        || read_char(c, '-') != 0
        || read_number(c, 1, 2, &date->day) != 0)
    {
        return "expected YYYY-MM-DD or an ISO 8601 timestamp";
    }

    if (date->month < 1 || date->month > 12) {
        return "month out of range";
    }
    if (date->day < 1 || date->day > days_in_month(date->year, date->month))
    {
        return "no such day in that month";
    }

    return NULL;
}

/*
 * An English name of names[], whole or cut after its third letter or
 * later ("Jul", "Sept", "July"), in any case, and a '.' after it.
 * Returns its index, or -1 (the cursor unmoved).
 */
static int
read_name(cursor_t *c, const char *const *names, int count)
{
    const char  *start = c->p;
    size_t       len;
    int          i;

    while (c->p < c->end && is_letter(*c->p)) {
        c->p++;
    }
    len = (size_t) (c->p - start);

    for (i = 0; len >= 3 && i < count; i++) {
        if (len <= strlen(names[i]) && strncasecmp(start, names[i], len) == 0)
        {
            if (next_is(c, '.')) {
                c->p++;
            }
            return i;
        }
    }

    c->p = start;
    return -1;
}

/*
 * A date with the month's English name, as people write it and as
 * JavaScript's Date reads it (Astro's blog template has "Jul 08 2022"):
 * "[Weekday[,]] Month D[,] YYYY" or "[Weekday[,]] D Month[,] YYYY".
 */
static const char *
read_named_date(cursor_t *c, post_date_t *date)
{
    static const char *const  months[] = {
        "january", "february", "march", "april", "may", "june", "july",
        "august", "september", "october", "november", "december"
    };
    static const char *const  weekdays[] = {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday"
    };
    int                       day_first;

    if (read_name(c, weekdays, 7) >= 0) {
        if (next_is(c, ',')) {
            c->p++;
        }
        skip_blanks(c);
    }

    day_first = c->p < c->end && *c->p >= '0' && *c->p <= '9';
    if (day_first && read_number(c, 1, 2, &date->day) != 0) {
        return "expected a day";
    }
    skip_blanks(c);

    date->month = read_name(c, months, 12) + 1;
    if (date->month == 0) {
        return "expected YYYY-MM-DD, an ISO 8601 timestamp or a date like "
               "Jul 8 2022";
    }
    skip_blanks(c);

    if (!day_first && read_number(c, 1, 2, &date->day) != 0) {
        return "expected a day after the month";
    }
    if (next_is(c, ',')) {
        c->p++;
    }
    skip_blanks(c);

    if (read_number(c, 4, 4, &date->year) != 0) {
        return "expected a four-digit year";
    }

    if (date->day < 1 || date->day > days_in_month(date->year, date->month))
    {
        return "no such day in that month";
    }

    return NULL;
}

const char *
date_parse(const char *text, size_t len, post_date_t *out)
{
    cursor_t     c = { text, text + len };
    const char  *error, *start;
    int          minutes, offset = 0, has_zone = 0;
    post_date_t  date = { 0, 0, 0, 0, 0, 0 };

    while (c.end > c.p && (is_blank(c.end[-1]) || c.end[-1] == '\n'
                           || c.end[-1] == '\r'))
    {
        c.end--;
    }
    skip_blanks(&c);

    if (c.p < c.end && is_letter(*c.p)) {
        error = read_named_date(&c, &date);
    } else {
        start = c.p;
        error = read_date(&c, &date);
        if (error != NULL && c.p - start <= 2) {
            /* "8 July 2022" */
            c.p = start;
            error = read_named_date(&c, &date);
        }
    }
    if (error != NULL) {
        return error;
    }

    if (!at_end(&c)) {
        if (next_is(&c, 'T') || next_is(&c, 't')) {
            c.p++;
        } else if (is_blank(*c.p)) {
            skip_blanks(&c);
        } else {
            return "unexpected text after the date";
        }

        error = read_time(&c, &minutes);
        if (error != NULL) {
            return error;
        }

        skip_blanks(&c);
        if (!at_end(&c)) {
            error = read_zone(&c, &offset);
            if (error != NULL) {
                return error;
            }
            has_zone = 1;
        }

        /* JavaScript's Date.toString() ends with the zone's name */
        skip_blanks(&c);
        if (has_zone && next_is(&c, '(') && c.end[-1] == ')') {
            c.p = c.end;
        }

        if (!at_end(&c)) {
            return "unexpected text after the timestamp";
        }

        /* the date as written: time and zone are checked, and kept for
         * date_to_zone() */
        date.zoned = has_zone;
        date.minutes = minutes;
        date.offset = offset;
    }

    *out = date;
    return NULL;
}

/* Whole days before a count of minutes (rounded down, also before 1970). */
static long
days_of_minutes(long long minutes)
{
    return minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
}

/* Whether a file is a compiled zone: TZif data, as tzfile(5) says. */
static int
is_tzif(const char *path)
{
    FILE  *f;
    char   magic[4];
    int    ok;

    f = fopen(path, "rb");
    if (f == NULL) {
        return 0;
    }

    ok = fread(magic, 1, sizeof(magic), f) == sizeof(magic)
         && memcmp(magic, "TZif", 4) == 0;

    fclose(f);
    return ok;
}

const char *
date_zone_check(date_zone_t *zone, const char *name)
{
    cursor_t     c = { name, name + strlen(name) };
    const char  *dir, *p, *error;
    char         path[PATH_MAX];
    struct stat  st;

    zone->kind = DATE_ZONE_OFFSET;
    zone->offset = 0;

    if (strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0) {
        return NULL;
    }

    if (name[0] == '+' || name[0] == '-') {
        error = read_zone(&c, &zone->offset);
        return error != NULL ? error
               : at_end(&c) ? NULL : "unexpected text after the offset";
    }

    for (p = name; *p != '\0'; p++) {
        if (!is_letter(*p) && !(*p >= '0' && *p <= '9')
            && strchr("/_-+", *p) == NULL)
        {
            return "neither a zone of the tz database (Europe/Berlin) nor "
                   "an offset (+01:00)";
        }
    }

    dir = getenv("TZDIR");
    if (dir == NULL || dir[0] == '\0') {
        dir = "/usr/share/zoneinfo";
    }

    /* glibc takes a name it cannot find, or a file that is no zone
     * ("leapseconds", "zone.tab"), for UTC, without a word */
    if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL
        || (size_t) snprintf(path, sizeof(path), "%s/%s", dir, name)
           >= sizeof(path)
        || stat(path, &st) != 0 || !S_ISREG(st.st_mode)
        || !is_tzif(path))
    {
        return "no such zone in the tz database";
    }

    /* their time_t counts leap seconds: midnight UTC is 23:59:33 */
    if (strncmp(name, "right/", 6) == 0) {
        return "a right/ zone counts leap seconds, which no site generator "
               "does: give the zone without right/";
    }

    zone->kind = DATE_ZONE_NAMED;
    return NULL;
}

const char *
date_zone_set(date_zone_t *zone, const char *name)
{
    const char  *error = date_zone_check(zone, name);

    if (error != NULL || zone->kind != DATE_ZONE_NAMED) {
        return error;
    }

    if (setenv("TZ", name, 1) != 0) {
        return "cannot set TZ";
    }
    tzset();

    return NULL;
}

void
date_to_zone(post_date_t *date, const date_zone_t *zone)
{
    long long  minutes;
    long       days;
    time_t     t;
    struct tm  tm;

    if (!date->zoned || zone == NULL || zone->kind == DATE_ZONE_AS_WRITTEN) {
        return;
    }

    /* the time written, in minutes since the epoch in UTC (a 32-bit long
     * would overflow in the years 0 to 9999) */
    minutes = (long long) days_from_civil(date->year, date->month, date->day)
              * 1440 + date->minutes - date->offset;

    if (zone->kind == DATE_ZONE_NAMED) {
        t = (time_t) minutes * 60;
        if (localtime_r(&t, &tm) == NULL) {
            return;
        }

        date->year = tm.tm_year + 1900;
        date->month = tm.tm_mon + 1;
        date->day = tm.tm_mday;
        date->minutes = tm.tm_hour * 60 + tm.tm_min;
        date->offset = (int) (tm.tm_gmtoff / 60);
        return;
    }

    minutes += zone->offset;
    days = days_of_minutes(minutes);
    civil_from_days(days, date);
    date->minutes = (int) (minutes - (long long) days * 1440);
    date->offset = zone->offset;
}

int
post_date(const frontmatter_t *fm, const char *field, post_date_t *out,
    diag_t *diag)
{
    yaml_node_t        *node;
    const char         *text, *error;
    const char *const  *keys = field ? &field : date_keys;
    size_t              i, len, n;

    n = field ? 1 : sizeof(date_keys) / sizeof(date_keys[0]);

    for (i = 0; i < n; i++) {
        node = frontmatter_field(fm, keys[i]);
        if (node == NULL || frontmatter_is_null(node)) {
            continue;
        }

        if (node->type != YAML_SCALAR_NODE) {
            diag_error(diag, fm->file, frontmatter_line(node),
                       frontmatter_column(node), "%s is %s, not a date",
                       keys[i], frontmatter_kind(node));
            return -1;
        }

        text = frontmatter_text(node, &len);
        if (len == 0) {
            continue;
        }

        error = date_parse(text, len, out);
        if (error != NULL) {
            diag_error(diag, fm->file, frontmatter_line(node),
                       frontmatter_column(node),
                       "invalid date '%.*s%s' in %s: %s",
                       (int) (len > SHOWN_MAX ? SHOWN_MAX : len), text,
                       len > SHOWN_MAX ? "..." : "", keys[i], error);
            return -1;
        }

        return 1;
    }

    return 0;
}
