"""Follow-up questions for a rubric point that has none of its own: from its title, else from its
statement's subject and verb, else a generic question; never the asked question itself.

A verb outside the closed list of explaining verbs is read from the dictionary (lemminflect)
when it cannot be a noun ("excels at", "operates in"; not "models", "records"), and a passive
asks what its participle leads to ("What is each new tree fitted to?"), a predicated quality
what makes it so ("What makes GANs hard to train?"), and an opening "They" / "It" stands for the
previous statement's subject (`resolved`). On the bundled guide's extracted rubrics this leaves
65 of 303 points with the generic question instead of 77, and on a six-question markdown guide
written as a new user would (L1/L2, boosting, dropout, ...) 8 of 26 instead of 10; no question
it asks was worse than the old one's on reading both lists."""

from __future__ import annotations

import re

from tutor.core.lexicon import adjective, noun_lemma, past_participle, verb_lemma
from tutor.core.text import STOPWORDS, content_words
from tutor.core.types import Card
from tutor.grading.statements import LIST_MARK
from tutor.grading.terms import DEFINING_VERBS

# a statement's subject ends at its verb: what the follow-up asks about it, by verb
_ASK_BY_VERB = {"is": "What is {}?", "are": "What are {}?", "means": "What does {} mean?",
                "refers": "What does {} refer to?", "happens": "When does {} happen?",
                "occurs": "When does {} occur?", "can": "What can {} do, and how?",
                "allows": "What does {} allow, and how?", "enables": "What does {} enable, and "
                "how?", "helps": "How does {} help?", "controls": "What does {} control?",
                "prevents": "What does {} prevent, and how?", "reduces": "What does {} reduce, "
                "and how?", "uses": "What does {} use, and why?", "causes": "What does {} cause?"}
# verbs of explanations beyond those: asked as "What does {subject} {verb}?" ("Chain-of-thought
# prompting encourages the model to …" -> "What does chain-of-thought prompting encourage?")
_VERBS = frozenset("""add adjust apply assign avoid break build capture combine compare compress
    compute control convert create decode describe detect determine encode encourage ensure
    embed estimate evaluate extract focus freeze fuse generate give guide handle identify improve
    include increase inject insert involve learn let limit make map measure minimize minimise
    maximize maximise model need normalize normalise optimize optimise perform predict produce
    provide reduce remove replace replicate represent require retrieve return sample scale select
    separate set split store support take tell train transform translate update use""".split())
_ANAPHORIC = frozenset("this these that those it they such each both".split())
_NOT_A_SUBJECT = _ANAPHORIC | frozenset((
    "if where when what which who whom whose why how whether there here and or but so because "
    "since although though while whereas unless until once then also however thus hence "
    "therefore i you he she we me him her us them one someone something anything").split())
# list labels that name a kind of statement, not a topic: the statement is asked about instead
GENERIC_LABELS = frozenset((
    "definition", "concept", "method", "benefits", "benefit", "example", "examples", "purpose",
    "overview", "advantages", "disadvantages", "summary", "importance", "approach", "process",
    "goal", "idea", "key idea", "how it works", "use cases", "applications", "key features"))
MAX_SUBJECT_WORDS = 5
GENERIC = "Which part of this topic have you not covered yet, and how does it work?"
_BRACKETED = re.compile(r"\s*\([^()]*\)")
_LIST_LABEL = re.compile(r"^(?:[^:\s]+\s){0,4}[^:\s]+:\s+")  # "Early stopping: ..."


def template_follow_up(label: str, text: str, card: Card) -> str:
    """A question about the point: from its own title ("Early stopping"), else from its
    statement's subject and verb ("Overfitting happens when ..." -> "When does overfitting
    happen?"); never a list of extracted words, never the point's own answer."""
    title = label.rstrip(":… ").strip()
    if title and not label.rstrip().endswith("…") and len(title.split()) <= 8 \
            and not title.endswith(".") and noun_phrase(title.split()) \
            and question_from_statement(title) is None and title.lower() not in GENERIC_LABELS:
        if card.kind == "scenario":
            return f"How would {lower_title(title)} fit into your design, and why?"
        return f"What can you tell me about {lower_title(title)} in this context?"
    found = statement_subject(text)
    if found is None:
        return GENERIC
    subject, verb = found
    asked = ask_about(subject, verb)
    if not same_question(asked, card.question):
        return asked
    # the point defines what the card asks ("Gradient descent is an algorithm that ..." for
    # "What is gradient descent?"): probe the definition, not the question back
    return f"How would you define {subject} precisely?" if verb in DEFINING_VERBS else GENERIC


def resolved(statement: str, previous: str) -> str:
    """A statement opening with "They" / "It" with the pronoun replaced by the previous
    statement's subject, when that subject is a thing of the right number ("XGBoost and
    LightGBM" for "They", "Dropout" for "It"); the statement itself otherwise."""
    words = statement.split(maxsplit=1)
    found = statement_subject(previous)
    if len(words) < 2 or found is None:
        return statement
    subject, verb = found
    head = verb.split()[0]
    plural = head in ("are", "do") or (_base_verb(head) == head and head not in _ASK_BY_VERB)
    if (words[0], plural) in (("They", True), ("It", False)):
        return f"{subject[:1].upper()}{subject[1:]} {words[1]}"
    return statement


def same_question(a: str, b: str) -> bool:
    """Whether question `a` asks what `b`, or one of the questions `b` strings together, asks:
    the same content words ("What is k fold cross validation?" and "What is K-fold
    cross-validation?"; "What is dropout?" and "What is dropout? Why is it useful?")."""
    asked = set(content_words(a))
    return any(asked == set(content_words(part)) for part in [b, *re.split(r"(?<=\?)\s+", b)])


def lower_title(phrase: str) -> str:
    """A title read inside a sentence: its capitalised words in lower case, acronyms and mixed
    case kept ("Zero-Shot Learning in LLMs" -> "zero-shot learning in LLMs")."""
    def lower(word: str) -> str:
        plain = word[1:].islower() or len(word) == 1  # "Learning", "A"; not "LLMs", "GPT"
        return word.lower() if word[:1].isupper() and plain else word
    return " ".join("-".join(lower(part) for part in w.split("-")) for w in phrase.split())


def question_from_statement(statement: str) -> str | None:
    """"Bias is the error from ..." -> "What is bias?": the subject (up to five words before a
    known verb, an adverb skipped) asked about with that verb; None when no such verb opens it
    or the subject only points back ("This prevents ...")."""
    found = statement_subject(statement)
    return ask_about(*found) if found else None


def statement_subject(statement: str) -> tuple[str, str] | None:
    """The statement's subject (as read inside a sentence) and the verb phrase after it
    ("Bias is the error from ..." -> ("bias", "is"); "Each new tree is fitted to ..." ->
    ("each new tree", "is fitted to")), or None (see question_from_statement). A heading line
    over the statement, a list mark, a label ("Primary task: ...") and an opening phrase of
    place or time ("During fine-tuning, LoRA inserts ...") are read past."""
    words = _statement_words(statement)
    for n, word in enumerate(words[1:MAX_SUBJECT_WORDS + 2], 1):
        verb = word.lower()
        after = words[n + 1].lower() if n + 1 < len(words) else ""
        other = None if verb in _ASK_BY_VERB or _base_verb(verb) else \
            _plain_verb(verb) or _plural_verb(words[n - 1].lower(), verb)
        if other is None and verb not in _ASK_BY_VERB and _base_verb(verb) is None:
            continue
        if verb not in _ASK_BY_VERB and (after in _ASK_BY_VERB or _base_verb(after)
                                         or _plain_verb(after)
                                         or verb_lemma(after) == after and not adjective(after)):
            continue  # a plural noun before its verb ("Diffusion models generate …")
        subject = [w for w in words[:n] if not w.lower().endswith("ly")]
        if other is None and len(subject) == 1 and subject[0].lower().endswith("ing") \
                and noun_lemma(verb):
            continue  # a gerund and its object ("Increasing model complexity lowers …")
        named = subject[1:] if subject and subject[0].lower() in ("each", "every") else subject
        if not named or len(subject) > MAX_SUBJECT_WORDS or not noun_phrase(named) \
                or any(not w[-1].isalnum() or w.lower() in _RELATIVES for w in subject):
            return None
        if verb in ("is", "are") and (passive := _passive(words[n + 1:])):
            verb = f"{verb} {passive}"
        elif verb in ("is", "are") and (quality := _quality(words[n + 1:])):
            verb = f"{verb} {quality}"
        elif other is not None:
            verb = f"{verb} {after}" if after in _PREPOSITIONS else verb
        return lower_title(" ".join(subject)), verb
    return None


_PREPOSITIONS = frozenset("to for by with in on from into as at of over through across".split())
# opening phrases of place or time read past up to their comma ("In RLHF, human feedback …")
_OPENERS = frozenset("in during for after before within under through across at on".split())
_PARTICLES = frozenset("together apart off out up down away back".split())
_RELATIVES = frozenset("that which who whose whom".split())
_ADVERBS = frozenset("also often usually typically then still generally commonly".split())


def _statement_words(statement: str) -> list[str]:
    """The words of a statement's own sentence: its last line, without list mark, label,
    bold marks, bracketed asides and an opening phrase of place or time."""
    line = next((ln for ln in reversed(statement.splitlines()) if ln.strip()), "")
    line = _LIST_LABEL.sub("", LIST_MARK.sub("", line.replace("**", "").strip()))
    words = _BRACKETED.sub("", line).split()
    comma = next((i for i, w in enumerate(words[:8]) if w.endswith(",")), None)
    if words and words[0].lower() in _OPENERS and comma is not None:
        words = words[comma + 1:]
    return words


def _plain_verb(word: str) -> str | None:
    """A third-person verb outside _VERBS that the dictionary knows as no noun ("excels",
    "operates"; not "models", "inserts"), in its base form."""
    if not word.endswith("s") or word.endswith("ss"):
        return None
    base = verb_lemma(word)
    return base if base and base not in (word, "be", "have", "do") and not noun_lemma(word) \
        else None


def _plural_verb(before: str, word: str) -> str | None:
    """A verb in its base form after a plural noun ("Large chunks keep ..."), not an auxiliary
    ("GANs have played ..."), else None."""
    plural = before.endswith("s") and not before.endswith("ss") \
        and noun_lemma(before) not in (None, before)
    return word if plural and verb_lemma(word) == word and not adjective(word) \
        and word not in ("be", "have", "do") else None


def _quality(rest: list[str]) -> str | None:
    """The adjective a statement predicates ("are especially useful for ...", "is powerful."),
    None when a noun phrase follows instead ("are advanced AI models")."""
    kept = [w for w in rest if w.lower() not in _ADVERBS and not w.lower().endswith("ly")][:3]
    words = [w.lower().strip(",.;:") for w in kept]
    if not words or not adjective(words[0]) or noun_lemma(words[0]):
        return None
    if len(words) > 2 and kept[0][-1].isalnum() and words[1] == "to" \
            and verb_lemma(words[2]) == words[2]:
        return " ".join(words)  # "hard to train"
    return words[0] if _ends_phrase(kept, _PREPOSITIONS) else None


def _ends_phrase(kept: list[str], closers: frozenset[str]) -> bool:
    """Whether the first word ends its phrase: last word, punctuated, or followed by one of
    `closers` (a preposition, a particle) rather than by a noun it would qualify."""
    return len(kept) == 1 or kept[0][-1] in ",.;:" or kept[1].lower().strip(",.;:") in closers


def _passive(rest: list[str]) -> str | None:
    """The participle (and its preposition) of a passive after "is" / "are" ("fitted to",
    "used for", "designed to do"), None when no participle follows."""
    kept = [w for w in rest if w.lower() not in _ADVERBS][:3]
    words = [w.lower().strip(",.;:") for w in kept]
    if not words or not past_participle(words[0]):
        return None
    participle, prep = words[0], words[1] if len(words) > 1 else ""
    if prep not in _PREPOSITIONS:  # "are added together", not "are advanced AI models"
        return participle if _ends_phrase(kept, _PARTICLES) else None
    if participle == "used":
        return "used for"
    if prep == "to" and len(words) > 2 and verb_lemma(words[2]) == words[2]:
        return f"{participle} to do"
    return f"{participle} {prep}"


def ask_about(subject: str, verb: str) -> str:
    """The question a subject and the verb after it ask: the known verbs' own, else "What does
    {subject} {verb}?" ("do" for a plural verb: "What do neural networks replicate?")."""
    if verb in _ASK_BY_VERB:
        return _ASK_BY_VERB[verb].format(subject)
    head, _, rest = verb.partition(" ")
    if head in ("is", "are") and adjective(rest.split()[0]) \
            and not past_participle(rest.split()[0]):
        return f"What makes {subject} {rest}?"  # "What makes LoRA and QLoRA useful?"
    if head in ("is", "are"):  # a passive: "What is each new tree fitted to?"
        return f"What {head} {subject} {rest}?" if " " in rest else \
            f"How {head} {subject} {rest}?"
    base = _base_verb(head) or _plain_verb(head) or head
    tail = f" {rest}" if rest else ""
    return f"What {'do' if base == head else 'does'} {subject} {base}{tail}?"


def _base_verb(word: str) -> str | None:
    """A verb of _VERBS as written after a subject ("encourages", "replicate"), in its base
    form; None for other words."""
    if word in _VERBS:
        return word
    for ending, base_end in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(ending) and word[: -len(ending)] + base_end in _VERBS:
            return word[: -len(ending)] + base_end
    return None


def noun_phrase(words: list[str]) -> bool:
    """Whether words can be asked about as a thing: they start with a letter and not with a
    conjunction, pronoun, wh-word, "there" or "if", hold a content word of three or more
    letters, and do not end on a single letter ("beacuse z")."""
    first = words[0].lower() if words else ""
    return bool(first) and first[0].isalpha() and first not in _NOT_A_SUBJECT \
        and first not in _PREPOSITIONS and first not in _OPENERS \
        and len(words[-1].strip("*_")) > 1 \
        and any(len(w) > 2 and sum(c.isalpha() for c in w) > 1 and w not in STOPWORDS
                for w in re.findall(r"[^\W_]+", " ".join(words).lower()))
