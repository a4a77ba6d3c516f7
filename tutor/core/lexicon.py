"""What is known of an English word: how technical it is (its rarity in everyday English,
wordfreq's Zipf scale) and its dictionary lemmas (lemminflect).

An answer in the candidate's own words uses plain words ("photo", "numbers", "picture") that a
guide may also use somewhere; the field's terms ("discriminator", "quantization") are rare in
everyday English. Zipf frequency is log10 of occurrences per billion words: ~7 for "the",
~5 for "photo", ~3 for "latent", 0 for words too rare to list.
"""

from __future__ import annotations

from functools import lru_cache

PLAIN_ZIPF = 5.0  # at or above: an everyday word (technicality 0)
RARE_ZIPF = 3.0  # at or below: a term of the field (technicality 1)
TECHNICAL = 0.5  # a word at least this technical is read as a term of the field


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """Zipf frequency of an English word (0 when unlisted)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en", wordlist="small"))


def technicality(word: str) -> float:
    """0 for everyday words, 1 for rare ones, linear in between."""
    return min(1.0, max(0.0, (PLAIN_ZIPF - zipf(word)) / (PLAIN_ZIPF - RARE_ZIPF)))


@lru_cache(maxsize=65536)
def zipf_large(word: str) -> float:
    """Zipf frequency in wordfreq's large list, which holds rare words too (0 when unlisted):
    "misreading" 2.6, "normalisation" 2.3, "varience" 0."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en", wordlist="large"))


@lru_cache(maxsize=65536)
def lemmas(word: str) -> tuple[str, ...]:
    """The word's dictionary lemmas other than itself ("rarer" -> "rare", "highest" -> "high",
    "goes" -> "go"): inflections a stemmer leaves apart. Empty for an unlisted word."""
    from lemminflect import getAllLemmas

    found = {lemma.lower() for forms in getAllLemmas(word.lower()).values() for lemma in forms}
    found.discard(word.lower())
    return tuple(sorted(found))


def _lemma_as(word: str, upos: str) -> str | None:
    """The word's first dictionary lemma as that part of speech (VERB, NOUN, ADJ), else None."""
    from lemminflect import getAllLemmas

    forms = getAllLemmas(word.lower(), upos=upos).get(upos)
    return forms[0].lower() if forms else None


@lru_cache(maxsize=65536)
def verb_lemma(word: str) -> str | None:
    """The verb a word is a form of ("inserts" -> "insert", "fitted" -> "fit"), None when the
    dictionary knows it as no verb ("data")."""
    return _lemma_as(word, "VERB")


@lru_cache(maxsize=65536)
def noun_lemma(word: str) -> str | None:
    """The noun a word is a form of ("models" -> "model"), None when it is no known noun."""
    return _lemma_as(word, "NOUN")


@lru_cache(maxsize=65536)
def past_participle(word: str) -> bool:
    """Whether a word is the past participle of a verb ("fitted", "built", "known")."""
    from lemminflect import getInflection

    base = verb_lemma(word)
    return base is not None and base != word.lower() and \
        word.lower() in getInflection(base, tag="VBN")


@lru_cache(maxsize=65536)
def adjective(word: str) -> bool:
    """Whether the dictionary knows a word as an adjective ("useful", "powerful")."""
    return _lemma_as(word, "ADJ") is not None
