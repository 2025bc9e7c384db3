/*
 * Stopword lists of the clean stage. Running text is dense in function
 * words ("the", "of", "and"); menus, headlines and link lists are not. That
 * density is jusText's main signal. The lists are compact (the most
 * frequent function words of each language) and written in lower case with
 * straight apostrophes, as cl_typography and cl_lower leave words.
 */
#include "clean.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *const cl_lang_codes[CL_N_LANGS] = {"en", "de", "fr", "es", "it",
                                               "pt", "nl", "ru", "id"};

static const char *const en_words =
    "a about above after again against ago all almost also although always "
    "am among an and another any anyone anything are aren't around as at "
    "away back be became because become been before being below between "
    "both but by can can't cannot could couldn't did didn't do does doesn't "
    "doing don't done down during each either else enough even ever every "
    "few for from further get gets getting go goes going got had hadn't has "
    "hasn't have haven't having he he'd he'll he's her here here's hers "
    "herself him himself his how how's however i i'd i'll i'm i've if in "
    "into is isn't it it's its itself just last least less let let's like "
    "made make makes many may maybe me might more most much must mustn't my "
    "myself neither never no nor not now of off often on once one only onto "
    "or other others otherwise our ours ourselves out over own per perhaps "
    "quite rather really same say says said see seem seemed seems several "
    "shall shan't she she'd she'll she's should shouldn't since so some "
    "something still such than that that's the their theirs them themselves "
    "then there there's these they they'd they'll they're they've thing "
    "things this those though through thus to too toward towards under "
    "until up upon us very was wasn't way we we'd we'll we're we've well "
    "were weren't what what's whatever when when's where where's whether "
    "which while who who's whom whose why why's will with within without "
    "won't would wouldn't yet you you'd you'll you're you've your yours "
    "yourself yourselves";

static const char *const de_words =
    "aber alle allem allen aller alles als also am an andere anderen auch "
    "auf aus bei beim bin bis bist da damit dann das dass dem den denn der "
    "des dich die dies diese diesem diesen dieser dieses dir doch dort du "
    "durch ein eine einem einen einer eines er es etwas euch für gegen hat "
    "hatte hier ich ihm ihn ihr ihre im in ist jetzt kann kein keine man "
    "mehr mein mich mir mit muss nach nicht noch nur ob oder ohne schon sehr "
    "sein seine sich sie sind so über um und uns unter vom von vor war waren "
    "was weil wenn werden wie wieder wir wird wurde zu zum zur zwischen";

static const char *const fr_words =
    "à afin ai aient ainsi alors au aucun aussi autre aux avait avec avoir "
    "c'est ça ce ceci cela celle celui ces cet cette ceux chaque comme comment "
    "d'un d'une dans de depuis des deux donc dont du elle elles en encore "
    "entre est et été être eux fait faut il ils j'ai je jusqu la le les leur "
    "leurs lui ma mais me même mes moi mon ne ni nos notre nous on ont ou où "
    "par pas peu peut plus pour pourquoi qu qu'il quand que quel quelle qui "
    "sa sans se ses si son sont sous sur ta te tes toi ton tous tout toute "
    "toutes très tu un une vos votre vous y";

static const char *const es_words =
    "a al algo algunos ante antes como con contra cual cuando de del desde "
    "donde dos durante e el ella ellas ellos en entre era eran es esa esas "
    "ese eso esos esta estaba estado están estas este esto estos fue fueron "
    "ha había han hasta hay la las le les lo los más me mi mientras mismo "
    "muy nada ni no nos nosotros o otra otros para pero poco por porque que "
    "qué quien se sea ser si sí sido sin sobre son su sus también tan tanto "
    "te tiene tienen todo todos tu un una uno unos y ya yo";

static const char *const it_words =
    "a abbiamo ai al alla alle anche avere c'è che chi ci come con cosa cui "
    "da dal dalla degli dei del della delle di dove e è ed era erano essere "
    "fa fare fino gli ha hanno i il in io la le lei lo loro lui ma mi mio "
    "molto ne nei nel nella nelle noi non o per perché più poi può quale "
    "quando quella quelle quello questa queste questo se sei si sia siamo "
    "sono su sua sue sui sul sulla suo suoi tra tutti tutto un una uno "
    "vi voi";

static const char *const pt_words =
    "a à ao aos as às até com como da das de dela dele deles depois do dos "
    "e é ela elas ele eles em entre era essa esse esta está estão este eu "
    "foi for foram há isso isto já lhe mais mas me mesmo meu minha muito na "
    "não nas nem no nos nós num numa o os ou para pela pelas pelo pelos por "
    "porque quando que quem se sem ser seu seus si só sua suas também te "
    "tem têm ter um uma umas uns você vocês";

static const char *const nl_words =
    "aan al als bij dan dat de deze die dit door een en er had heb heeft "
    "het hij hoe hun ik in is ja je kan maar me meer men met mij mijn na "
    "naar niet nog nu of om ons ook op over te tegen toch tot u uit van "
    "veel voor want was wat we wel werd wie wij worden wordt zal ze zich "
    "zijn zo zou";

static const char *const ru_words =
    "а без более бы был была были было быть в вам вас весь во вот все всё "
    "всего всех вы где да даже для до его ее её ей ему если есть еще ещё же "
    "за здесь и из или им их к как какой когда кто ли либо меня мне может "
    "мы на над нам нас не него нее неё нет ни них но ну о об однако он она "
    "они оно от очень по под при с со так также такой там те тем то того "
    "тоже только том ты у уже хотя чего чем что чтобы эта эти это этого "
    "этой этот я";

static const char *const id_words =
    "ada adalah agar akan aku anda atau bagi bahwa banyak belum bisa dalam "
    "dan dari dengan di dia hal harus hingga ia ini itu jadi jika juga kami "
    "karena ke kita lagi lebih maka mereka namun oleh pada para saat saja "
    "sangat satu sebagai sebelum sedang sehingga sekarang sejak seperti "
    "setelah sudah tapi telah tentang tersebut tetapi tidak untuk yaitu "
    "yang";

static const char *const *const lists[CL_N_LANGS] = {
    &en_words, &de_words, &fr_words, &es_words, &it_words,
    &pt_words, &nl_words, &ru_words, &id_words};

/* One sorted table of (word, language mask) for all languages. */
typedef struct entry {
  char word[24];
  unsigned mask;
} entry;

static entry *table;
static size_t n_table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const entry *)a)->word, ((const entry *)b)->word);
}

static void build(void) {
  size_t total = 0;
  for (int l = 0; l < CL_N_LANGS; l++) {
    for (const char *p = *lists[l]; *p; p++)
      total += *p == ' ';
    total++;
  }
  /* A static table: the lists are fixed and small (about 900 words). */
  static entry storage[1200];
  if (total > sizeof storage / sizeof *storage)
    total = sizeof storage / sizeof *storage;
  size_t n = 0;
  for (int l = 0; l < CL_N_LANGS; l++) {
    const char *p = *lists[l];
    while (*p && n < total) {
      const char *e = strchr(p, ' ');
      size_t wl = e ? (size_t)(e - p) : strlen(p);
      if (wl > 0 && wl < sizeof storage[0].word) {
        memcpy(storage[n].word, p, wl);
        storage[n].word[wl] = '\0';
        storage[n].mask = 1u << l;
        n++;
      }
      p += wl;
      while (*p == ' ')
        p++;
    }
  }
  qsort(storage, n, sizeof *storage, cmp_entry);
  /* Merge words that several languages share ("a", "de", "in"). */
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (m > 0 && strcmp(storage[m - 1].word, storage[i].word) == 0)
      storage[m - 1].mask |= storage[i].mask;
    else
      storage[m++] = storage[i];
  }
  table = storage;
  n_table = m;
}

void cl_lexicon_init(void) {
  /* Stage instances may live in different threads: build once. */
  pthread_once(&once, build);
}

unsigned cl_stopword(const char *word) {
  size_t lo = 0, hi = n_table;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(word, table[mid].word);
    if (c == 0)
      return table[mid].mask;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return 0;
}
