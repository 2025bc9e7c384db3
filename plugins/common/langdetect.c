/*
 * Language identification by script, frequent words and distinctive
 * letters (see langdetect.h).
 *
 * The text is read once: each code point is counted under its script, and
 * each word (a run of letters, lowercased) is looked up in one hash table
 * of the supported languages' commonest words, which says the languages
 * the word is frequent in. Inside the dominant script the language with
 * the most hits wins; letters that only one language of the script uses
 * (German ß, Polish ł, Urdu ے, Ukrainian ї, ...) add a little, which
 * settles close calls between related languages.
 */
#include "langdetect.h"
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum script {
  SC_OTHER,
  SC_LATIN,
  SC_CYRILLIC,
  SC_ARABIC,
  SC_GREEK,
  SC_HEBREW,
  SC_DEVANAGARI,
  SC_BENGALI,
  SC_TAMIL,
  SC_THAI,
  SC_HANGUL,
  SC_KANA,
  SC_HAN,
  SC_ARMENIAN,
  SC_GEORGIAN,
  SC_COUNT
} script;

/* Languages told apart by their words, with the script they are written
 * in and their commonest words (lowercase, separated by spaces). */
typedef struct word_lang {
  const char *tag;
  script sc;
  const char *words;
} word_lang;

static const word_lang langs[] = {
    {"en", SC_LATIN,
     "the of and to in is that it was for on are with as his they be at "
     "have this from by had not but what were which their has would there "
     "been will who said an or its he she we you"},
    {"fr", SC_LATIN,
     "le la les des est une et en du dans que qui pour pas sur au avec ce "
     "il sont par plus aux elle mais ont été cette ses nous vous leur comme "
     "être fait était"},
    {"de", SC_LATIN,
     "der die und das ist nicht den dem ein eine zu mit sich auf für von "
     "auch es im sie des wird wurde bei nach aus sind noch wie einer über "
     "oder hat werden dass er aber nur"},
    {"es", SC_LATIN,
     "el la los las de que y en un una es por con para del se no al lo "
     "como más pero sus le ha este esta son fue también entre cuando muy "
     "sin sobre ya todo está"},
    {"it", SC_LATIN,
     "il di che è la le per un una del della non sono con si gli da nel "
     "alla dei delle anche come ma più questo ha ed al lo nella essere "
     "stato suo sua loro"},
    {"pt", SC_LATIN,
     "o os de que e do da em um uma para com não no na por mais as dos das "
     "se ao foi como mas ou seu sua são também nos está ele ela pelo pela "
     "quando muito já isso"},
    {"nl", SC_LATIN,
     "de het een en van is dat op te in zijn niet met voor er ook aan "
     "wordt maar om bij nog als uit naar dan door heeft hij ze wat worden "
     "deze werd kan over"},
    {"sv", SC_LATIN,
     "och att det som en är på för med av den till inte har de ett om var "
     "jag men så vi kan från han hon sig vid eller när efter också ska "
     "skulle"},
    {"da", SC_LATIN,
     "og at det som en er på for med af den til ikke har de et om var jeg "
     "men så vi kan fra han hun sig ved eller når efter også skal blev "
     "være"},
    {"pl", SC_LATIN,
     "i w nie na się z do to że jest o jak ale po co od za tak przez jego "
     "już dla czy tylko są może był była jednak które który ich tym"},
    {"cs", SC_LATIN,
     "a v se na je že to s z do o jako ale pro by k po jsou jeho které "
     "který která také byl byla však od jen tak při už podle než"},
    {"tr", SC_LATIN,
     "ve bir bu da de için ile çok daha olarak gibi ama en olan var ne "
     "kadar sonra değil o şey ben her ya mi veya göre ise olduğunu diye"},
    {"id", SC_LATIN,
     "yang dan di dari ini itu dengan untuk tidak dalam akan pada juga ke "
     "karena ada oleh saya mereka kita atau sudah bisa telah lebih seperti "
     "bahwa kami hanya ia"},
    {"ro", SC_LATIN,
     "și în de la a cu care pe nu din o un mai pentru este că sunt fost "
     "sau ca ce se dar au lui acest această fi după"},
    {"vi", SC_LATIN,
     "của và là các có được cho trong người những một không với này đã "
     "để khi từ cũng đến như về sẽ nhiều"},
    {"ru", SC_CYRILLIC,
     "и в не на что с по это как из но он она к у же за то от для я мы "
     "все его был была так только уже или если бы при может"},
    {"uk", SC_CYRILLIC,
     "і в не на що з по це як із але він вона до у та за від для я ми все "
     "його був була так тільки вже або якщо б при може також й"},
    {"bg", SC_CYRILLIC,
     "и в не на че с по това как от но той тя за да се са е му ще си бе "
     "беше които който която към след при"},
    {"sr", SC_CYRILLIC,
     "и у не на да се је од за са су што као а из то али по био била који "
     "која које када тако још"},
    {"ar", SC_ARABIC,
     "في من على إلى أن عن التي الذي هذا هذه مع كان ما لا أو بين قد ذلك "
     "كل بعد إن وقال وفي حيث عند"},
    {"fa", SC_ARABIC,
     "در به از که این را با است برای آن یک هم تا می شد بود شده خود هر "
     "نیز اما کرد دارد ما او"},
    {"ur", SC_ARABIC,
     "کے کی ہے میں اور سے کو نے کا یہ ہیں پر بھی کہ تھا تھی گیا ایک نہیں "
     "وہ ہو کر اس جو لیے"},
};

#define N_LANGS (sizeof langs / sizeof *langs)

/* Letters that, among the languages above, only one uses (code point and
 * language tag). */
typedef struct letter_hint {
  uint32_t cp;
  const char *tag;
} letter_hint;

static const letter_hint letter_hints[] = {
    {0x00DF, "de"}, /* ß */
    {0x00F1, "es"}, /* ñ */
    {0x00E3, "pt"}, /* ã */
    {0x00F5, "pt"}, /* õ */
    {0x0153, "fr"}, /* œ */
    {0x0142, "pl"}, /* ł */
    {0x0105, "pl"}, /* ą */
    {0x0119, "pl"}, /* ę */
    {0x017C, "pl"}, /* ż */
    {0x0144, "pl"}, /* ń */
    {0x0159, "cs"}, /* ř */
    {0x011B, "cs"}, /* ě */
    {0x016F, "cs"}, /* ů */
    {0x011F, "tr"}, /* ğ */
    {0x0131, "tr"}, /* dotless ı */
    {0x0219, "ro"}, /* ș */
    {0x021B, "ro"}, /* ț */
    {0x01A1, "vi"}, /* ơ */
    {0x01B0, "vi"}, /* ư */
    {0x0111, "vi"}, /* đ */
    {0x00E6, "da"}, /* æ */
    {0x00F8, "da"}, /* ø */
    {0x0456, "uk"}, /* і */
    {0x0457, "uk"}, /* ї */
    {0x0454, "uk"}, /* є */
    {0x0491, "uk"}, /* ґ */
    {0x044B, "ru"}, /* ы */
    {0x044D, "ru"}, /* э */
    {0x0451, "ru"}, /* ё */
    {0x0452, "sr"}, /* ђ */
    {0x0458, "sr"}, /* ј */
    {0x0459, "sr"}, /* љ */
    {0x045A, "sr"}, /* њ */
    {0x045B, "sr"}, /* ћ */
    {0x045F, "sr"}, /* џ */
    {0x0679, "ur"}, /* ٹ */
    {0x0688, "ur"}, /* ڈ */
    {0x0691, "ur"}, /* ڑ */
    {0x06BA, "ur"}, /* ں */
    {0x06D2, "ur"}, /* ے */
    {0x06C1, "ur"}, /* ہ */
    {0x06BE, "ur"}, /* ھ */
    {0x06CC, "fa"}, /* ی, also Urdu, whose own letters outweigh it */
    {0x06A9, "fa"}, /* ک, likewise */
    {0x064A, "ar"}, /* ي */
    {0x0643, "ar"}, /* ك */
    {0x0629, "ar"}, /* ة */
};

/* Weight of one distinctive letter against one frequent-word hit. */
#define LETTER_WEIGHT 0.3

/* Languages of the scripts that only one supported language uses. */
static const char *const script_tags[SC_COUNT] = {
    [SC_GREEK] = "el",   [SC_HEBREW] = "he",   [SC_DEVANAGARI] = "hi",
    [SC_BENGALI] = "bn", [SC_TAMIL] = "ta",    [SC_THAI] = "th",
    [SC_HANGUL] = "ko",  [SC_ARMENIAN] = "hy", [SC_GEORGIAN] = "ka",
};

static script script_of(uint32_t cp) {
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
    return SC_LATIN;
  if (cp < 0xC0)
    return SC_OTHER;
  if (cp <= 0x24F && cp != 0xD7 && cp != 0xF7)
    return SC_LATIN;
  if (cp >= 0x1E00 && cp <= 0x1EFF)
    return SC_LATIN;
  if (cp >= 0x370 && cp <= 0x3FF)
    return SC_GREEK;
  if (cp >= 0x400 && cp <= 0x52F)
    return SC_CYRILLIC;
  if (cp >= 0x531 && cp <= 0x58F)
    return SC_ARMENIAN;
  if (cp >= 0x5D0 && cp <= 0x5F4)
    return SC_HEBREW;
  if ((cp >= 0x620 && cp <= 0x64A) || (cp >= 0x66E && cp <= 0x6D3) ||
      (cp >= 0x6FA && cp <= 0x6FF) || (cp >= 0x750 && cp <= 0x77F) ||
      (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFC))
    return SC_ARABIC;
  if (cp >= 0x900 && cp <= 0x97F)
    return SC_DEVANAGARI;
  if (cp >= 0x980 && cp <= 0x9FF)
    return SC_BENGALI;
  if (cp >= 0xB80 && cp <= 0xBFF)
    return SC_TAMIL;
  if (cp >= 0xE00 && cp <= 0xE7F)
    return SC_THAI;
  if (cp >= 0x10A0 && cp <= 0x10FF)
    return SC_GEORGIAN;
  if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
      (cp >= 0xAC00 && cp <= 0xD7A3))
    return SC_HANGUL;
  if ((cp >= 0x3041 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
      (cp >= 0xFF66 && cp <= 0xFF9D))
    return SC_KANA;
  if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x20000 && cp <= 0x2FFFF))
    return SC_HAN;
  return SC_OTHER;
}

/* Marks that belong to the letter before them: Latin combining accents,
 * Arabic vowel signs and tatweel, Indic vowel signs. They neither end a
 * word nor count as letters. */
static int is_mark(uint32_t cp) {
  return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x64B && cp <= 0x65F) ||
         cp == 0x670 || cp == 0x640 || (cp >= 0x6D6 && cp <= 0x6ED) ||
         (cp >= 0x93A && cp <= 0x94F) || (cp >= 0x200C && cp <= 0x200D);
}

static uint32_t to_lower(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z')
    return cp + 32;
  if (cp < 0xC0)
    return cp;
  if (cp <= 0xDE && cp != 0xD7)
    return cp + 32;
  if (cp == 0x130)
    return 'i';
  if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177) ||
      (cp >= 0x218 && cp <= 0x21B) || (cp >= 0x1EA0 && cp <= 0x1EF9))
    return cp % 2 == 0 ? cp + 1 : cp;
  if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
    return cp % 2 == 1 ? cp + 1 : cp;
  if (cp == 0x1A0 || cp == 0x1AF)
    return cp + 1;
  if (cp >= 0x391 && cp <= 0x3A9)
    return cp + 0x20;
  if (cp >= 0x410 && cp <= 0x42F)
    return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F)
    return cp + 0x50;
  if (cp >= 0x460 && cp <= 0x4FF)
    return cp % 2 == 0 ? cp + 1 : cp;
  return cp;
}

/* Decodes one UTF-8 sequence at s[*i]; returns the code point and advances
 * *i, or returns 0xFFFD for a malformed byte (skipping it). */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i) {
  unsigned char c = s[*i];
  uint32_t cp;
  size_t n;
  if (c < 0x80) {
    (*i)++;
    return c;
  } else if (c >= 0xC2 && c <= 0xDF) {
    cp = c & 0x1F;
    n = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    cp = c & 0x0F;
    n = 2;
  } else if (c >= 0xF0 && c <= 0xF4) {
    cp = c & 0x07;
    n = 3;
  } else {
    (*i)++;
    return 0xFFFD;
  }
  if (*i + n >= len) { /* truncated at the end */
    (*i)++;
    return 0xFFFD;
  }
  for (size_t k = 1; k <= n; k++) {
    if ((s[*i + k] & 0xC0) != 0x80) {
      (*i)++;
      return 0xFFFD;
    }
    cp = (cp << 6) | (s[*i + k] & 0x3F);
  }
  *i += n + 1;
  return cp;
}

/* ---- Frequent-word table -------------------------------------------------
 */

#define TABLE_SIZE 2048 /* power of two, well above the number of words */

typedef struct entry {
  const char *word; /* into langs[].words, not NUL-terminated */
  size_t len;
  uint32_t mask; /* bit i: langs[i] */
} entry;

static uint32_t hash(const char *s, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static entry *lookup(entry *table, const char *w, size_t len) {
  uint32_t i = hash(w, len) & (TABLE_SIZE - 1);
  while (table[i].word &&
         (table[i].len != len || memcmp(table[i].word, w, len) != 0))
    i = (i + 1) & (TABLE_SIZE - 1);
  return &table[i];
}

static void build_table(entry *table) {
  for (size_t l = 0; l < N_LANGS; l++) {
    const char *p = langs[l].words;
    while (*p) {
      while (*p == ' ')
        p++;
      const char *start = p;
      while (*p && *p != ' ')
        p++;
      if (p == start)
        continue;
      entry *e = lookup(table, start, (size_t)(p - start));
      e->word = start;
      e->len = (size_t)(p - start);
      e->mask |= 1u << l;
    }
  }
}

static int lang_index(const char *tag) {
  for (size_t l = 0; l < N_LANGS; l++)
    if (strcmp(langs[l].tag, tag) == 0)
      return (int)l;
  return -1;
}

/* ---- Detection ------------------------------------------------------------
 */

int ac_langdetect_knows(const char *tag) {
  if (!tag)
    return 0;
  size_t n = strcspn(tag, "-_");
  for (size_t l = 0; l < N_LANGS; l++)
    if (strlen(langs[l].tag) == n && strncasecmp(langs[l].tag, tag, n) == 0)
      return 1;
  for (int sc = 0; sc < SC_COUNT; sc++)
    if (script_tags[sc] && strlen(script_tags[sc]) == n &&
        strncasecmp(script_tags[sc], tag, n) == 0)
      return 1;
  return (n == 2 &&
          (strncasecmp(tag, "ja", 2) == 0 || strncasecmp(tag, "zh", 2) == 0));
}

/* Texts longer than this are judged on their start: enough words for a
 * clear answer, and a bound on the work. */
#define MAX_SCAN 20000

const char *ac_langdetect(const char *text, size_t len, double *confidence) {
  if (confidence)
    *confidence = 0;
  if (!text)
    return NULL;
  if (len > MAX_SCAN)
    len = MAX_SCAN;
  /* On the heap: 48 KiB is a lot of stack for a library call. */
  entry *table = calloc(TABLE_SIZE, sizeof *table);
  if (!table)
    return NULL;
  build_table(table);

  size_t script_count[SC_COUNT] = {0};
  double score[N_LANGS] = {0};
  size_t hits[N_LANGS] = {0};
  size_t words = 0;
  char word[64];
  size_t wlen = 0;
  int word_too_long = 0;
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  for (;;) {
    uint32_t cp = i < len ? next_cp(s, len, &i) : 0;
    if (cp && is_mark(cp))
      continue;
    script sc = cp ? script_of(cp) : SC_OTHER;
    if (sc != SC_OTHER) {
      script_count[sc]++;
      uint32_t lower = to_lower(cp);
      for (size_t k = 0;
           lower >= 0xC0 && k < sizeof letter_hints / sizeof *letter_hints; k++)
        if (letter_hints[k].cp == lower) {
          int l = lang_index(letter_hints[k].tag);
          if (l >= 0)
            score[l] += LETTER_WEIGHT;
        }
      if (wlen + 4 < sizeof word)
        wlen += ac_utf8_encode(lower, word + wlen);
      else
        word_too_long = 1;
      continue;
    }
    /* A word ends here. */
    if (wlen) {
      words++;
      if (!word_too_long) {
        entry *e = lookup(table, word, wlen);
        for (size_t l = 0; e->word && l < N_LANGS; l++)
          if (e->mask & (1u << l)) {
            hits[l]++;
            score[l] += 1;
          }
      }
    }
    wlen = 0;
    word_too_long = 0;
    if (!cp)
      break;
  }
  free(table);

  script dominant = SC_OTHER;
  for (int sc = SC_LATIN; sc < SC_COUNT; sc++) {
    if (script_count[sc] > script_count[dominant])
      dominant = (script)sc;
  }
  if (dominant == SC_OTHER || script_count[dominant] < 3)
    return NULL;
  /* Han with kana is Japanese; Han alone, Chinese. */
  if (dominant == SC_HAN || dominant == SC_KANA) {
    size_t kana = script_count[SC_KANA];
    size_t han = script_count[SC_HAN];
    if (confidence)
      *confidence = 1;
    return kana * 20 >= kana + han ? "ja" : "zh";
  }
  if (script_tags[dominant]) {
    if (confidence)
      *confidence = 1;
    return script_tags[dominant];
  }

  /* A shared script: the language of that script with the best score. */
  int best = -1, second = -1;
  for (size_t l = 0; l < N_LANGS; l++) {
    if (langs[l].sc != dominant)
      continue;
    if (best < 0 || score[l] > score[best]) {
      second = best;
      best = (int)l;
    } else if (second < 0 || score[l] > score[second]) {
      second = (int)l;
    }
  }
  if (best < 0 || score[best] <= 0)
    return NULL;
  /* Too few frequent words to judge: a list of names, a short title. */
  if (hits[best] < 2 && score[best] < 2)
    return NULL;
  if (words >= 20 && hits[best] * 20 < words)
    return NULL;
  double margin =
      second >= 0 ? (score[best] - score[second]) / score[best] : 1.0;
  if (margin <= 0)
    return NULL;
  if (confidence) {
    /* Few words make even a clear margin uncertain. */
    double amount = hits[best] >= 10 ? 1.0 : (double)hits[best] / 10.0;
    *confidence = margin * amount;
  }
  return langs[best].tag;
}
