"""Follow-up questions for a rubric point that has none of its own: from its title, else from its
statement's subject and verb, else a generic question; never the asked question itself."""

from __future__ import annotations

import re

from tutor.core.text import STOPWORDS, content_words
from tutor.core.types import Card
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
    estimate evaluate extract focus generate give guide handle identify improve include increase
    involve learn let limit make map measure minimize minimise maximize maximise model need
    normalize normalise optimize optimise perform predict produce provide reduce remove replace
    replicate represent require retrieve return scale select separate split store support take
    tell train transform translate update use""".split())
_ANAPHORIC = frozenset("this these that those it they such each both".split())
_NOT_A_SUBJECT = _ANAPHORIC | frozenset((
    "if where when what which who whom whose why how whether there here and or but so because "
    "since although though while whereas unless until then also however thus hence therefore "
    "i you he she we me him her us them one someone something anything").split())
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
    """The statement's subject (as read inside a sentence) and the known verb after it
    ("Bias is the error from ..." -> ("bias", "is")), or None (see question_from_statement)."""
    unlabelled = _LIST_LABEL.sub("", statement.replace("**", "").strip())
    words = _BRACKETED.sub("", unlabelled).split()  # "Generative AI (GenAI) refers to …"
    for n, word in enumerate(words[1:MAX_SUBJECT_WORDS + 2], 1):
        verb = word.lower()
        if verb not in _ASK_BY_VERB and _base_verb(verb) is None:
            continue
        after = words[n + 1].lower() if n + 1 < len(words) else ""
        if verb not in _ASK_BY_VERB and (after in _ASK_BY_VERB or _base_verb(after)):
            continue  # a plural noun before its verb ("Diffusion models generate …")
        subject = [w for w in words[:n] if not w.lower().endswith("ly")]
        if not subject or len(subject) > MAX_SUBJECT_WORDS or not noun_phrase(subject) \
                or any(not w[-1].isalnum() for w in subject):
            return None
        return lower_title(" ".join(subject)), verb
    return None


def ask_about(subject: str, verb: str) -> str:
    """The question a subject and the verb after it ask: the known verbs' own, else "What does
    {subject} {verb}?" ("do" for a plural verb: "What do neural networks replicate?")."""
    if verb in _ASK_BY_VERB:
        return _ASK_BY_VERB[verb].format(subject)
    base = _base_verb(verb) or verb
    return f"What {'do' if base == verb else 'does'} {subject} {base}?"


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
        and len(words[-1].strip("*_")) > 1 \
        and any(len(w) > 2 and w.isalpha() and w not in STOPWORDS
                for w in re.findall(r"[^\W\d_]+", " ".join(words).lower()))
