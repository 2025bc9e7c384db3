/*
 * Word tables of the English rules. Lists are small and searched linearly:
 * a lookup costs a few hundred comparisons at most, and an article needs a
 * few thousand lookups.
 */
#include "en_words.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* True when w[0..n) equals the NUL-terminated `s`, ignoring ASCII case. */
static bool eq_ci(const char *w, size_t n, const char *s) {
  return strlen(s) == n && strncasecmp(w, s, n) == 0;
}

static bool in_list(const char *const *list, const char *w, size_t n) {
  for (size_t i = 0; list[i]; i++)
    if (eq_ci(w, n, list[i]))
      return true;
  return false;
}

/* ---- Units ----------------------------------------------------------------
 */

static const en_unit units[] = {
    /* length */
    {"mm", "millimeter", "millimeters", 0},
    {"cm", "centimeter", "centimeters", 0},
    {"m", "meter", "meters", 0},
    {"km", "kilometer", "kilometers", 0},
    {"kms", "kilometers", "kilometers", 0},
    {"nm", "nanometer", "nanometers", 0},
    {"\xc2\xb5m", "micrometer", "micrometers", 0},
    {"\xce\xbcm", "micrometer", "micrometers", 0},
    {"ft", "foot", "feet", 0},
    {"yd", "yard", "yards", 0},
    {"mi", "mile", "miles", 0},
    /* mass */
    {"mg", "milligram", "milligrams", 0},
    {"g", "gram", "grams", 0},
    {"kg", "kilogram", "kilograms", 0},
    {"kgs", "kilograms", "kilograms", 0},
    {"t", "tonne", "tonnes", 0},
    {"lb", "pound", "pounds", 0},
    {"lbs", "pounds", "pounds", 0},
    {"oz", "ounce", "ounces", 0},
    /* volume */
    {"ml", "milliliter", "milliliters", 0},
    {"mL", "milliliter", "milliliters", 0},
    {"l", "liter", "liters", UNIT_NOSPACE},
    {"L", "liter", "liters", 0},
    {"cl", "centiliter", "centiliters", 0},
    {"gal", "gallon", "gallons", 0},
    /* area and volume */
    {"km\xc2\xb2", "square kilometer", "square kilometers", 0},
    {"km2", "square kilometer", "square kilometers", 0},
    {"sq km", "square kilometer", "square kilometers", 0},
    {"m\xc2\xb2", "square meter", "square meters", 0},
    {"m2", "square meter", "square meters", 0},
    {"sq m", "square meter", "square meters", 0},
    {"cm\xc2\xb2", "square centimeter", "square centimeters", 0},
    {"cm2", "square centimeter", "square centimeters", 0},
    {"mm\xc2\xb2", "square millimeter", "square millimeters", 0},
    {"ft\xc2\xb2", "square foot", "square feet", 0},
    {"sq ft", "square foot", "square feet", 0},
    {"sq mi", "square mile", "square miles", 0},
    {"ha", "hectare", "hectares", 0},
    {"km\xc2\xb3", "cubic kilometer", "cubic kilometers", 0},
    {"km3", "cubic kilometer", "cubic kilometers", 0},
    {"m\xc2\xb3", "cubic meter", "cubic meters", 0},
    {"m3", "cubic meter", "cubic meters", 0},
    {"cm\xc2\xb3", "cubic centimeter", "cubic centimeters", 0},
    {"cm3", "cubic centimeter", "cubic centimeters", 0},
    /* speed */
    {"km/h", "kilometer per hour", "kilometers per hour", 0},
    {"kmh", "kilometer per hour", "kilometers per hour", 0},
    {"kph", "kilometer per hour", "kilometers per hour", 0},
    {"mph", "mile per hour", "miles per hour", 0},
    {"m/s", "meter per second", "meters per second", 0},
    {"km/s", "kilometer per second", "kilometers per second", 0},
    /* temperature and angle */
    {"\xc2\xb0"
     "C",
     "degree Celsius", "degrees Celsius", 0},
    {"\xc2\xba"
     "C",
     "degree Celsius", "degrees Celsius", 0},
    {"\xe2\x84\x83", "degree Celsius", "degrees Celsius", 0},
    {"\xc2\xb0"
     "F",
     "degree Fahrenheit", "degrees Fahrenheit", 0},
    {"\xc2\xba"
     "F",
     "degree Fahrenheit", "degrees Fahrenheit", 0},
    {"\xe2\x84\x89", "degree Fahrenheit", "degrees Fahrenheit", 0},
    {"\xc2\xb0", "degree", "degrees", 0},
    /* frequency, power, energy, electricity */
    {"Hz", "hertz", "hertz", 0},
    {"kHz", "kilohertz", "kilohertz", 0},
    {"MHz", "megahertz", "megahertz", 0},
    {"GHz", "gigahertz", "gigahertz", 0},
    {"W", "watt", "watts", 0},
    {"kW", "kilowatt", "kilowatts", 0},
    {"MW", "megawatt", "megawatts", 0},
    {"GW", "gigawatt", "gigawatts", 0},
    {"kWh", "kilowatt hour", "kilowatt hours", 0},
    {"MWh", "megawatt hour", "megawatt hours", 0},
    {"GWh", "gigawatt hour", "gigawatt hours", 0},
    {"TWh", "terawatt hour", "terawatt hours", 0},
    {"V", "volt", "volts", 0},
    {"kV", "kilovolt", "kilovolts", 0},
    {"mA", "milliamp", "milliamps", 0},
    {"mAh", "milliamp hour", "milliamp hours", 0},
    /* data */
    {"KB", "kilobyte", "kilobytes", 0},
    {"kB", "kilobyte", "kilobytes", 0},
    {"MB", "megabyte", "megabytes", 0},
    {"GB", "gigabyte", "gigabytes", 0},
    {"TB", "terabyte", "terabytes", 0},
    {"PB", "petabyte", "petabytes", 0},
    {"bps", "bit per second", "bits per second", UNIT_ANYCASE},
    {"kbps", "kilobit per second", "kilobits per second", UNIT_ANYCASE},
    {"mbps", "megabit per second", "megabits per second", UNIT_ANYCASE},
    {"gbps", "gigabit per second", "gigabits per second", UNIT_ANYCASE},
    /* time */
    {"ms", "millisecond", "milliseconds", 0},
    {"sec", "second", "seconds", 0},
    {"secs", "seconds", "seconds", 0},
    {"min", "minute", "minutes", 0},
    {"mins", "minutes", "minutes", 0},
    {"hr", "hour", "hours", 0},
    {"hrs", "hours", "hours", 0},
    {"h", "hour", "hours", UNIT_NOSPACE},
    /* other */
    {"dB", "decibel", "decibels", 0},
    {"kcal", "kilocalorie", "kilocalories", 0},
    {NULL, NULL, NULL, 0}};

/* Words used after a slash ("$20/mo") that are not units of measure. */
static const en_unit per_words[] = {{"mo", "month", "months", 0},
                                    {"mth", "month", "months", 0},
                                    {"month", "month", "months", 0},
                                    {"wk", "week", "weeks", 0},
                                    {"week", "week", "weeks", 0},
                                    {"yr", "year", "years", 0},
                                    {"year", "year", "years", 0},
                                    {"day", "day", "days", 0},
                                    {"d", "day", "days", 0},
                                    {"hour", "hour", "hours", 0},
                                    {"night", "night", "nights", 0},
                                    {"person", "person", "people", 0},
                                    {"head", "head", "heads", 0},
                                    {"share", "share", "shares", 0},
                                    {"unit", "unit", "units", 0},
                                    {"s", "second", "seconds", 0},
                                    {NULL, NULL, NULL, 0}};

static bool ascii_alnum(unsigned char c) {
  return isalnum(c) != 0;
}

const en_unit *en_unit_at(const char *s, size_t n, size_t at, size_t *len) {
  const en_unit *best = NULL;
  size_t best_len = 0;
  for (size_t i = 0; units[i].text; i++) {
    const en_unit *u = &units[i];
    size_t k = strlen(u->text);
    if (k <= best_len || k > n - at)
      continue;
    bool same = (u->flags & UNIT_ANYCASE) ? strncasecmp(s + at, u->text, k) == 0
                                          : memcmp(s + at, u->text, k) == 0;
    if (!same)
      continue;
    /* A unit ends a word: "12 kg," but not "12 kgx" or "5 mi6". */
    if (at + k < n && (ascii_alnum((unsigned char)s[at + k]) ||
                       (unsigned char)s[at + k] >= 0x80))
      continue;
    best = u;
    best_len = k;
  }
  if (best)
    *len = best_len;
  return best;
}

const en_unit *en_unit_word(const char *w, size_t n) {
  for (size_t i = 0; units[i].text; i++) {
    const en_unit *u = &units[i];
    if (strlen(u->text) == n &&
        ((u->flags & UNIT_ANYCASE) ? strncasecmp(w, u->text, n) == 0
                                   : memcmp(w, u->text, n) == 0))
      return u;
  }
  for (size_t i = 0; per_words[i].text; i++)
    if (eq_ci(w, n, per_words[i].text))
      return &per_words[i];
  return NULL;
}

/* ---- Currencies -----------------------------------------------------------
 */

static const en_currency dollar = {"dollar", "dollars", "cent", "cents"};
static const en_currency us_dollar = {"US dollar", "US dollars", "cent",
                                      "cents"};
static const en_currency au_dollar = {"Australian dollar", "Australian dollars",
                                      "cent", "cents"};
static const en_currency ca_dollar = {"Canadian dollar", "Canadian dollars",
                                      "cent", "cents"};
static const en_currency hk_dollar = {"Hong Kong dollar", "Hong Kong dollars",
                                      "cent", "cents"};
static const en_currency nz_dollar = {"New Zealand dollar",
                                      "New Zealand dollars", "cent", "cents"};
static const en_currency sg_dollar = {"Singapore dollar", "Singapore dollars",
                                      "cent", "cents"};
static const en_currency tw_dollar = {"Taiwan dollar", "Taiwan dollars", "cent",
                                      "cents"};
static const en_currency real = {"real", "reais", "centavo", "centavos"};
static const en_currency pound = {"pound", "pounds", "penny", "pence"};
static const en_currency euro = {"euro", "euros", "cent", "cents"};
static const en_currency yen = {"yen", "yen", NULL, NULL};
static const en_currency yuan = {"yuan", "yuan", NULL, NULL};
static const en_currency rupee = {"rupee", "rupees", "paisa", "paise"};
static const en_currency pk_rupee = {"Pakistani rupee", "Pakistani rupees",
                                     "paisa", "paise"};
static const en_currency in_rupee = {"Indian rupee", "Indian rupees", "paisa",
                                     "paise"};
static const en_currency won = {"won", "won", NULL, NULL};
static const en_currency ruble = {"ruble", "rubles", "kopek", "kopeks"};
static const en_currency naira = {"naira", "naira", "kobo", "kobo"};
static const en_currency peso = {"peso", "pesos", "centavo", "centavos"};
static const en_currency lira = {"lira", "lira", NULL, NULL};
static const en_currency shekel = {"shekel", "shekels", "agora", "agorot"};
static const en_currency baht = {"baht", "baht", NULL, NULL};
static const en_currency dong = {"dong", "dong", NULL, NULL};
static const en_currency hryvnia = {"hryvnia", "hryvnias", NULL, NULL};
static const en_currency franc = {"Swiss franc", "Swiss francs", "centime",
                                  "centimes"};
static const en_currency rand = {"rand", "rand", "cent", "cents"};
static const en_currency bitcoin = {"bitcoin", "bitcoins", NULL, NULL};
static const en_currency taka = {"taka", "taka", NULL, NULL};
static const en_currency dirham = {"dirham", "dirhams", NULL, NULL};
static const en_currency riyal = {"riyal", "riyals", NULL, NULL};

const en_currency *en_currency_symbol(unsigned cp) {
  switch (cp) {
  case '$':
    return &dollar;
  case 0xA3:
    return &pound;
  case 0x20AC:
    return &euro;
  case 0xA5:
    return &yen;
  case 0x20B9:
    return &rupee;
  case 0x20A8:
    return &rupee;
  case 0x20A9:
    return &won;
  case 0x20BD:
    return &ruble;
  case 0x20A6:
    return &naira;
  case 0x20B1:
    return &peso;
  case 0x20BA:
    return &lira;
  case 0x20AA:
    return &shekel;
  case 0x0E3F:
    return &baht;
  case 0x20AB:
    return &dong;
  case 0x20B4:
    return &hryvnia;
  case 0x20BF:
    return &bitcoin;
  case 0x09F3:
    return &taka;
  default:
    return NULL;
  }
}

const en_currency *en_currency_dollar_prefix(const char *w, size_t n) {
  static const struct {
    const char *w;
    const en_currency *c;
  } prefixes[] = {{"US", &us_dollar},  {"U.S.", &us_dollar}, {"A", &au_dollar},
                  {"AU", &au_dollar},  {"C", &ca_dollar},    {"CA", &ca_dollar},
                  {"CAN", &ca_dollar}, {"HK", &hk_dollar},   {"NZ", &nz_dollar},
                  {"S", &sg_dollar},   {"SG", &sg_dollar},   {"NT", &tw_dollar},
                  {"R", &real},        {"Mex", &peso}};
  for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
    if (strlen(prefixes[i].w) == n && memcmp(w, prefixes[i].w, n) == 0)
      return prefixes[i].c;
  return NULL;
}

const en_currency *en_currency_code(const char *w, size_t n) {
  static const struct {
    const char *w;
    const en_currency *c;
  } codes[] = {{"USD", &us_dollar}, {"EUR", &euro},      {"GBP", &pound},
               {"JPY", &yen},       {"CNY", &yuan},      {"RMB", &yuan},
               {"INR", &in_rupee},  {"PKR", &pk_rupee},  {"AUD", &au_dollar},
               {"CAD", &ca_dollar}, {"HKD", &hk_dollar}, {"NZD", &nz_dollar},
               {"SGD", &sg_dollar}, {"CHF", &franc},     {"ZAR", &rand},
               {"NGN", &naira},     {"RUB", &ruble},     {"KRW", &won},
               {"BRL", &real},      {"MXN", &peso},      {"TRY", &lira},
               {"ILS", &shekel},    {"THB", &baht},      {"BDT", &taka},
               {"AED", &dirham},    {"SAR", &riyal},     {"Rs", &rupee},
               {"BTC", &bitcoin}};
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
    if (strlen(codes[i].w) == n && memcmp(w, codes[i].w, n) == 0)
      return codes[i].c;
  return NULL;
}

const char *en_money_scale(const char *w, size_t n, bool attached) {
  static const struct {
    const char *w;
    const char *say;
    bool exact; /* case matters */
  } scales[] = {
      {"thousand", "thousand", false}, {"million", "million", false},
      {"billion", "billion", false},   {"trillion", "trillion", false},
      {"crore", "crore", false},       {"lakh", "lakh", false},
      {"k", "thousand", true},         {"K", "thousand", true},
      {"m", "million", true},          {"M", "million", true},
      {"mn", "million", false},        {"mln", "million", false},
      {"b", "billion", true},          {"B", "billion", true},
      {"bn", "billion", false},        {"bln", "billion", false},
      {"tn", "trillion", false},       {"trn", "trillion", false}};
  for (size_t i = 0; i < sizeof scales / sizeof *scales; i++) {
    size_t k = strlen(scales[i].w);
    if (k != n)
      continue;
    if (scales[i].exact ? memcmp(w, scales[i].w, n) != 0
                        : strncasecmp(w, scales[i].w, n) != 0)
      continue;
    /* A lone "M" or "K" after a space is more often something else. */
    if (!attached && n == 1 && (w[0] == 'M' || w[0] == 'K'))
      return NULL;
    return scales[i].say;
  }
  return NULL;
}

/* ---- Dates -----------------------------------------------------------------
 */

static const char *const month_names[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

int en_month(const char *w, size_t n, bool *abbrev) {
  static const struct {
    const char *w;
    int m;
  } abbrevs[] = {{"jan", 1},  {"feb", 2},  {"mar", 3},  {"apr", 4},
                 {"jun", 6},  {"jul", 7},  {"aug", 8},  {"sep", 9},
                 {"sept", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}};
  for (int i = 0; i < 12; i++) {
    if (eq_ci(w, n, month_names[i])) {
      *abbrev = false;
      return i + 1;
    }
  }
  for (size_t i = 0; i < sizeof abbrevs / sizeof *abbrevs; i++) {
    if (eq_ci(w, n, abbrevs[i].w)) {
      *abbrev = true;
      return abbrevs[i].m;
    }
  }
  return 0;
}

const char *en_month_name(int month) {
  return month >= 1 && month <= 12 ? month_names[month - 1] : "";
}

/* ---- Abbreviations ------------------------------------------------------- */

static const en_abbrev abbrevs[] = {
    /* titles before names */
    {"Dr", "Doctor", AB_TITLE},
    {"Mr", "Mister", AB_TITLE},
    {"Mrs", "Missus", AB_TITLE},
    {"Ms", "Miz", AB_TITLE},
    {"Prof", "Professor", AB_TITLE},
    {"Gen", "General", AB_TITLE},
    {"Gov", "Governor", AB_TITLE},
    {"Sen", "Senator", AB_TITLE},
    {"Rep", "Representative", AB_TITLE},
    {"Lt", "Lieutenant", AB_TITLE},
    {"Col", "Colonel", AB_TITLE},
    {"Sgt", "Sergeant", AB_TITLE},
    {"Capt", "Captain", AB_TITLE},
    {"Cmdr", "Commander", AB_TITLE},
    {"Adm", "Admiral", AB_TITLE},
    {"Maj", "Major", AB_TITLE},
    {"Rev", "Reverend", AB_TITLE},
    {"Hon", "Honourable", AB_TITLE},
    {"Fr", "Father", AB_TITLE | AB_NEEDS_DOT},
    {"Pres", "President", AB_TITLE},
    {"Supt", "Superintendent", AB_TITLE},
    {"Insp", "Inspector", AB_TITLE},
    {"Cllr", "Councillor", AB_TITLE},
    {"Mt", "Mount", AB_TITLE},
    {"Ft", "Fort", AB_TITLE | AB_NEEDS_DOT},
    /* after names */
    {"Jr", "Junior", AB_AFTER_NAME | AB_MAY_END},
    {"Sr", "Senior", AB_AFTER_NAME | AB_MAY_END},
    {"Co", "Company", AB_AFTER_NAME | AB_MAY_END | AB_NEEDS_DOT},
    {"Corp", "Corporation", AB_AFTER_NAME | AB_MAY_END},
    {"Ltd", "Limited", AB_AFTER_NAME | AB_MAY_END},
    {"Bros", "Brothers", AB_AFTER_NAME | AB_MAY_END},
    /* before numbers */
    {"No", "number", AB_NEEDS_NUM | AB_NEEDS_DOT},
    {"Nos", "numbers", AB_NEEDS_NUM | AB_NEEDS_DOT},
    {"Fig", "figure", AB_NEEDS_NUM},
    {"Vol", "volume", AB_NEEDS_NUM},
    {"Ch", "chapter", AB_NEEDS_NUM | AB_NEEDS_DOT},
    {"p", "page", AB_NEEDS_NUM | AB_NEEDS_DOT},
    {"pp", "pages", AB_NEEDS_NUM | AB_NEEDS_DOT},
    {"Sec", "section", AB_NEEDS_NUM | AB_NEEDS_DOT},
    {"Art", "article", AB_NEEDS_NUM | AB_NEEDS_DOT},
    {"Apt", "apartment", AB_NEEDS_NUM},
    {"Ste", "suite", AB_NEEDS_NUM},
    {"ca", "circa", AB_NEEDS_NUM | AB_NEEDS_DOT},
    {"ext", "extension", AB_NEEDS_NUM},
    {"tel", "telephone", AB_NEEDS_NUM | AB_NEEDS_DOT},
    /* anywhere */
    {"etc", "et cetera", AB_MAY_END},
    {"vs", "versus", 0},
    {"approx", "approximately", 0},
    {"Dept", "Department", AB_MAY_END},
    {"Govt", "Government", AB_MAY_END},
    {"Univ", "University", AB_MAY_END | AB_NEEDS_DOT},
    {"Assn", "Association", AB_MAY_END},
    {"Intl", "International", AB_MAY_END},
    {"Natl", "National", AB_MAY_END},
    {"incl", "including", AB_NEEDS_DOT},
    {"excl", "excluding", AB_NEEDS_DOT},
    {"avg", "average", AB_NEEDS_DOT},
    {"est", "established", AB_NEEDS_DOT | AB_NEEDS_NUM},
    {NULL, NULL, 0}};

const en_abbrev *en_abbrev_find(const char *w, size_t n) {
  for (size_t i = 0; abbrevs[i].text; i++) {
    const en_abbrev *a = &abbrevs[i];
    if (!eq_ci(w, n, a->text))
      continue;
    /* Titles and names are capitalized: "dr" is not "Doctor". */
    if ((a->flags & (AB_TITLE | AB_AFTER_NAME)) &&
        !isupper((unsigned char)w[0]))
      continue;
    return a;
  }
  return NULL;
}

const char *en_dotted_abbrev(const char *w, size_t n) {
  static const char *const dotted[][2] = {
      {"e.g", "for example"},     {"i.e", "that is"},
      {"a.k.a", "also known as"}, {"n.b", "note"},
      {"r.i.p", "rest in peace"}, {"c.f", "compare"},
      {"cf", "compare"},          {"p.s", "P S"}};
  for (size_t i = 0; i < sizeof dotted / sizeof *dotted; i++)
    if (eq_ci(w, n, dotted[i][0]))
      return dotted[i][1];
  return NULL;
}

const char *en_street_type(const char *w, size_t n) {
  static const char *const types[][2] = {
      {"St", "Street"},           {"Street", "Street"},
      {"Ave", "Avenue"},          {"Av", "Avenue"},
      {"Avenue", "Avenue"},       {"Rd", "Road"},
      {"Road", "Road"},           {"Blvd", "Boulevard"},
      {"Boulevard", "Boulevard"}, {"Dr", "Drive"},
      {"Drive", "Drive"},         {"Ln", "Lane"},
      {"Lane", "Lane"},           {"Ct", "Court"},
      {"Court", "Court"},         {"Pl", "Place"},
      {"Place", "Place"},         {"Expy", "Expressway"},
      {"Hwy", "Highway"},         {"Highway", "Highway"},
      {"Pkwy", "Parkway"},        {"Parkway", "Parkway"},
      {"Sq", "Square"},           {"Square", "Square"},
      {"Ter", "Terrace"},         {"Terr", "Terrace"},
      {"Cir", "Circle"},          {"Way", "Way"},
      {"Cres", "Crescent"},       {"Gdns", "Gardens"}};
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    if (eq_ci(w, n, types[i][0]))
      return types[i][1];
  return NULL;
}

const char *en_direction(const char *w, size_t n) {
  static const char *const dirs[][2] = {
      {"N", "North"},      {"S", "South"},      {"E", "East"},
      {"W", "West"},       {"NE", "Northeast"}, {"NW", "Northwest"},
      {"SE", "Southeast"}, {"SW", "Southwest"}, {"North", "North"},
      {"South", "South"},  {"East", "East"},    {"West", "West"}};
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
    if (strlen(dirs[i][0]) == n && memcmp(w, dirs[i][0], n) == 0)
      return dirs[i][1];
  return NULL;
}

const char *en_state(const char *w, size_t n, bool *ambiguous) {
  static const char *const states[][2] = {
      {"AL", "Alabama"},        {"AK", "Alaska"},
      {"AZ", "Arizona"},        {"AR", "Arkansas"},
      {"CA", "California"},     {"CO", "Colorado"},
      {"CT", "Connecticut"},    {"DE", "Delaware"},
      {"FL", "Florida"},        {"GA", "Georgia"},
      {"HI", "Hawaii"},         {"ID", "Idaho"},
      {"IL", "Illinois"},       {"IN", "Indiana"},
      {"IA", "Iowa"},           {"KS", "Kansas"},
      {"KY", "Kentucky"},       {"LA", "Louisiana"},
      {"ME", "Maine"},          {"MD", "Maryland"},
      {"MA", "Massachusetts"},  {"MI", "Michigan"},
      {"MN", "Minnesota"},      {"MS", "Mississippi"},
      {"MO", "Missouri"},       {"MT", "Montana"},
      {"NE", "Nebraska"},       {"NV", "Nevada"},
      {"NH", "New Hampshire"},  {"NJ", "New Jersey"},
      {"NM", "New Mexico"},     {"NY", "New York"},
      {"NC", "North Carolina"}, {"ND", "North Dakota"},
      {"OH", "Ohio"},           {"OK", "Oklahoma"},
      {"OR", "Oregon"},         {"PA", "Pennsylvania"},
      {"RI", "Rhode Island"},   {"SC", "South Carolina"},
      {"SD", "South Dakota"},   {"TN", "Tennessee"},
      {"TX", "Texas"},          {"UT", "Utah"},
      {"VT", "Vermont"},        {"VA", "Virginia"},
      {"WA", "Washington"},     {"WV", "West Virginia"},
      {"WI", "Wisconsin"},      {"WY", "Wyoming"},
      {"PR", "Puerto Rico"}};
  static const char *const amb[] = {"AL", "CO", "DE", "HI", "ID", "IN", "LA",
                                    "MA", "MD", "ME", "MS", "NE", "OH", "OK",
                                    "OR", "PA", "PR", "MI", "MO", NULL};
  if (n != 2)
    return NULL;
  for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
    if (memcmp(w, states[i][0], 2) == 0) {
      *ambiguous = false;
      for (size_t k = 0; amb[k]; k++)
        if (memcmp(w, amb[k], 2) == 0)
          *ambiguous = true;
      return states[i][1];
    }
  }
  return NULL;
}

bool en_time_zone(const char *w, size_t n) {
  static const char *const zones[] = {
      "EST",  "EDT",  "CST", "CDT", "MST", "MDT",  "PST",  "PDT",
      "AKST", "HST",  "GMT", "UTC", "BST", "CET",  "CEST", "EET",
      "EEST", "IST",  "PKT", "JST", "KST", "AEST", "AEDT", "WAT",
      "EAT",  "SAST", "ET",  "PT",  "CT",  "MT",   NULL};
  return in_list(zones, w, n);
}

/* ---- Word lists -----------------------------------------------------------
 */

bool en_quantity_word(const char *w, size_t n) {
  static const char *const words[] = {
      "over",    "about",   "nearly",     "almost",   "approximately",
      "roughly", "some",    "than",       "least",    "only",
      "just",    "total",   "totalling",  "totaling", "estimated",
      "exactly", "another", "additional", "extra",    "killed",
      "injured", "employs", "employed",   "hired",    "sold",
      "bought",  "costs",   "cost",       "paid",     "nearby",
      NULL};
  return in_list(words, w, n);
}

bool en_function_word(const char *w, size_t n) {
  static const char *const words[] = {
      "and",      "or",         "but",       "nor",      "the",     "a",
      "an",       "of",         "in",        "on",       "at",      "to",
      "for",      "from",       "by",        "with",     "as",      "was",
      "were",     "is",         "are",       "be",       "been",    "has",
      "have",     "had",        "will",      "would",    "that",    "which",
      "who",      "when",       "while",     "after",    "before",  "since",
      "until",    "during",     "than",      "then",     "so",      "if",
      "into",     "over",       "under",     "between",  "through", "per",
      "versus",   "vs",         "against",   "it",       "he",      "she",
      "they",     "we",         "i",         "you",      "its",     "their",
      "his",      "her",        "our",       "my",       "your",    "this",
      "these",    "those",      "there",     "where",    "saw",     "said",
      "says",     "marked",     "brought",   "began",    "ended",   "onwards",
      "onward",   "election",   "elections", "budget",   "census",  "season",
      "edition",  "report",     "levels",    "level",    "figures", "estimates",
      "forecast", "inspection", "survey",    "olympics", "games",   "world",
      "cup",      "general",    "film",      "model",    "version", "vintage",
      NULL};
  return in_list(words, w, n);
}

bool en_year_word(const char *w, size_t n) {
  static const char *const words[] = {
      "in",        "since",   "by",      "from",  "until",   "till",
      "of",        "during",  "before",  "after", "year",    "the",
      "their",     "its",     "his",     "her",   "our",     "this",
      "that",      "early",   "late",    "mid",   "spring",  "summer",
      "autumn",    "fall",    "winter",  "circa", "around",  "year's",
      "class",     "vintage", "between", "and",   "through", "fiscal",
      "financial", "through", "born",    "died",  "founded", "established",
      NULL};
  return in_list(words, w, n);
}

bool en_identifier_word(const char *w, size_t n) {
  static const char *const words[] = {
      "pin",    "code",       "codes",     "passcode",  "password",
      "otp",    "id",         "account",   "acct",      "card",
      "serial", "ref",        "reference", "extension", "ext",
      "ending", "ends",       "zip",       "postcode",  "isbn",
      "ticket", "order",      "invoice",   "tracking",  "policy",
      "member", "membership", "badge",     "employee",  NULL};
  return in_list(words, w, n);
}

bool en_sentence_starter(const char *w, size_t n) {
  static const char *const words[] = {
      "The",     "A",        "An",    "It",        "He",        "She",
      "They",    "We",       "I",     "You",       "This",      "That",
      "These",   "Those",    "There", "Here",      "In",        "On",
      "At",      "But",      "And",   "Or",        "So",        "Yet",
      "If",      "When",     "While", "After",     "Before",    "Since",
      "As",      "For",      "From",  "With",      "Without",   "Its",
      "His",     "Her",      "Their", "Our",       "My",        "Your",
      "What",    "Why",      "How",   "Who",       "Where",     "Which",
      "Some",    "Many",     "Most",  "All",       "Each",      "Every",
      "No",      "Not",      "One",   "Two",       "Three",     "Then",
      "However", "Moreover", "Also",  "Meanwhile", "Residents", "Officials",
      "Police",  "Public",   NULL};
  for (size_t i = 0; words[i]; i++)
    if (strlen(words[i]) == n && memcmp(w, words[i], n) == 0)
      return true;
  return false;
}

bool en_roman_cardinal_word(const char *w, size_t n) {
  static const char *const words[] = {
      "war",     "part",     "parts",    "chapter",  "volume",   "vol",
      "act",     "scene",    "phase",    "book",     "section",  "article",
      "title",   "type",     "class",    "grade",    "level",    "stage",
      "season",  "episode",  "series",   "bowl",     "mark",     "apollo",
      "vatican", "tier",     "round",    "league",   "division", "schedule",
      "annex",   "appendix", "figure",   "table",    "unit",     "pillar",
      "plan",    "version",  "rule",     "clause",   "category", "step",
      "psalm",   "canto",    "movement", "symphony", "no",       "number",
      NULL};
  return in_list(words, w, n);
}

bool en_regnal_name(const char *w, size_t n) {
  static const char *const names[] = {
      "Elizabeth", "Charles",   "James",     "George",   "Henry",
      "Edward",    "William",   "Mary",      "Louis",    "Napoleon",
      "Peter",     "Catherine", "Alexander", "Nicholas", "Richard",
      "John",      "Paul",      "Francis",   "Benedict", "Leo",
      "Pius",      "Gregory",   "Innocent",  "Philip",   "Frederick",
      "Ferdinand", "Victor",    "Umberto",   "Juan",     "Carlos",
      "Felipe",    "Wilhelm",   "Ivan",      "Selim",    "Mehmed",
      "Suleiman",  "Abdullah",  "Hussein",   "Faisal",   "Rama",
      "Haakon",    "Olav",      "Harald",    "Gustav",   "Carl",
      "Christian", "Willem",    "Albert",    "Baudouin", "Rainier",
      "Ramesses",  "Thutmose",  "Amenhotep", NULL};
  for (size_t i = 0; names[i]; i++)
    if (strlen(names[i]) == n && memcmp(w, names[i], n) == 0)
      return true;
  return false;
}

bool en_spelled_acronym(const char *w, size_t n) {
  static const char *const words[] = {"WHO", "IMF", "FATF", "ICC",  "ICJ",
                                      "WTO", "NHS", "BBC",  "CNN",  "PTI",
                                      "PPP", "PML", "ISI",  "IAEA", NULL};
  for (size_t i = 0; words[i]; i++)
    if (strlen(words[i]) == n && memcmp(w, words[i], n) == 0)
      return true;
  return false;
}

bool en_word_tld(const char *w, size_t n) {
  static const char *const words[] = {
      "com", "org",  "net",    "edu",    "gov",    "mil",  "int",  "info",
      "biz", "name", "pro",    "museum", "travel", "jobs", "mobi", "app",
      "dev", "news", "online", "shop",   "store",  "blog", NULL};
  return in_list(words, w, n);
}

bool en_known_tld(const char *w, size_t n) {
  static const char *const words[] = {
      "com", "org",  "net",    "edu",  "gov",  "mil", "int", "info", "biz",
      "io",  "co",   "ai",     "app",  "dev",  "tv",  "me",  "ly",   "uk",
      "us",  "ca",   "au",     "de",   "fr",   "it",  "es",  "nl",   "ru",
      "cn",  "jp",   "in",     "pk",   "sm",   "eu",  "ch",  "se",   "no",
      "dk",  "fi",   "pl",     "be",   "at",   "nz",  "za",  "br",   "mx",
      "ie",  "news", "online", "shop", "blog", "xyz", "gg",  "fm",   "ng",
      "ke",  "bd",   "lk",     "ae",   "sa",   "tr",  "kr",  "tw",   "hk",
      "sg",  "my",   "id",     "ph",   "vn",   "th",  NULL};
  for (size_t i = 0; words[i]; i++)
    if (strlen(words[i]) == n && memcmp(w, words[i], n) == 0)
      return true;
  return false;
}

bool en_phone_word(const char *w, size_t n) {
  static const char *const words[] = {
      "call",     "phone",  "tel",     "telephone", "fax",      "dial",
      "mobile",   "cell",   "ring",    "text",      "whatsapp", "hotline",
      "helpline", "number", "contact", NULL};
  return in_list(words, w, n);
}
