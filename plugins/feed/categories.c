/* Apple Podcasts categories: a feed with any other itunes:category text is
 * refused by Apple's directory, so a typo in [show] category should fail
 * loudly rather than publish a feed that cannot be listed. */
#include "feed.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct category {
  const char *name;
  const char *const *subs; /* NULL-terminated; NULL when it has none */
} category;

#define SUBS(...)                                                              \
  (const char *const[]) {                                                      \
    __VA_ARGS__, NULL                                                          \
  }

/* Apple's list as published for podcasters (2019 revision, still current). */
static const category categories[] = {
    {"Arts", SUBS("Books", "Design", "Fashion & Beauty", "Food",
                  "Performing Arts", "Visual Arts")},
    {"Business", SUBS("Careers", "Entrepreneurship", "Investing", "Management",
                      "Marketing", "Non-Profit")},
    {"Comedy", SUBS("Comedy Interviews", "Improv", "Stand-Up")},
    {"Education",
     SUBS("Courses", "How To", "Language Learning", "Self-Improvement")},
    {"Fiction", SUBS("Comedy Fiction", "Drama", "Science Fiction")},
    {"Government", NULL},
    {"History", NULL},
    {"Health & Fitness", SUBS("Alternative Health", "Fitness", "Medicine",
                              "Mental Health", "Nutrition", "Sexuality")},
    {"Kids & Family", SUBS("Education for Kids", "Parenting", "Pets & Animals",
                           "Stories for Kids")},
    {"Leisure", SUBS("Animation & Manga", "Automotive", "Aviation", "Crafts",
                     "Games", "Hobbies", "Home & Garden", "Video Games")},
    {"Music", SUBS("Music Commentary", "Music History", "Music Interviews")},
    {"News", SUBS("Business News", "Daily News", "Entertainment News",
                  "News Commentary", "Politics", "Sports News", "Tech News")},
    {"Religion & Spirituality",
     SUBS("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
          "Religion", "Spirituality")},
    {"Science", SUBS("Astronomy", "Chemistry", "Earth Sciences",
                     "Life Sciences", "Mathematics", "Natural Sciences",
                     "Nature", "Physics", "Social Sciences")},
    {"Society & Culture", SUBS("Documentary", "Personal Journals", "Philosophy",
                               "Places & Travel", "Relationships")},
    {"Sports",
     SUBS("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football",
          "Golf", "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis",
          "Volleyball", "Wilderness", "Wrestling")},
    {"Technology", NULL},
    {"True Crime", NULL},
    {"TV & Film", SUBS("After Shows", "Film History", "Film Interviews",
                       "Film Reviews", "TV Reviews")},
};

/* Appends the names of a list to why, comma-separated. */
static void list_names(char *why, size_t whylen, const char *const *names,
                       size_t n) {
  size_t used = strlen(why);
  for (size_t i = 0; i < n && names[i] && used < whylen; i++) {
    snprintf(why + used, whylen - used, "%s%s", i ? ", " : "", names[i]);
    used += strlen(why + used);
  }
}

int feed_category(const char *category_name, const char *sub,
                  const char **cat_out, const char **sub_out, char *why,
                  size_t whylen) {
  size_t n = sizeof categories / sizeof categories[0];
  const category *c = NULL;
  for (size_t i = 0; i < n && !c; i++)
    if (strcasecmp(categories[i].name, category_name) == 0)
      c = &categories[i];
  if (!c) {
    const char *names[sizeof categories / sizeof categories[0]];
    for (size_t i = 0; i < n; i++)
      names[i] = categories[i].name;
    snprintf(why, whylen,
             "[show] category '%s' is not an Apple Podcasts category; "
             "choose one of: ",
             category_name);
    list_names(why, whylen, names, n);
    return AC_ERR_INVALID;
  }
  *cat_out = c->name;
  *sub_out = NULL;
  if (!sub || !*sub)
    return AC_ERR_OK;
  for (size_t i = 0; c->subs && c->subs[i]; i++) {
    if (strcasecmp(c->subs[i], sub) == 0) {
      *sub_out = c->subs[i];
      return AC_ERR_OK;
    }
  }
  if (!c->subs) {
    snprintf(why, whylen,
             "[show] subcategory '%s': the category %s has no subcategories",
             sub, c->name);
    return AC_ERR_INVALID;
  }
  snprintf(why, whylen, "[show] subcategory '%s' is not one of %s's: ", sub,
           c->name);
  list_names(why, whylen, c->subs, (size_t)-1);
  return AC_ERR_INVALID;
}
