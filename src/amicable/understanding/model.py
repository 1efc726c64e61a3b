"""The intent classifier: the must-not-miss rules first, then a scikit-learn model for the rest.

The model is trained, when first needed, on the labelled messages shipped in data/messages.csv (train
split only); nothing is downloaded and nothing is pickled, so it works offline and cannot drift from
the code. The held-out split measures it (`amicable inbound evaluate`); docs/classifier.md has the
figures. A model answer below the confidence threshold is marked for an agent.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources

from amicable.understanding.clean import normalised, own_words
from amicable.understanding.entities import Entities, detect_language, extract
from amicable.understanding.rules import must_not_miss

INTENTS = (
    "opt_out",
    "dispute",
    "promise_to_pay",
    "paid_already",
    "payment_plan_request",
    "hardship",
    "vulnerability",
    "complaint",
    "wrong_person",
    "callback_request",
    "question",
    "other",
)
DEFAULT_THRESHOLD = 0.45
HELD_OUT_SHARE = 0.2
SPLIT_SEED = 7


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    intent: str
    language: str
    form: str
    text: str


@dataclass(frozen=True, slots=True)
class Understanding:
    intent: str
    confidence: float
    entities: Entities
    language: str
    source: str  # rule or model
    needs_agent: bool  # the model was not sure enough to act on its own
    also: tuple[str, ...] = field(default=())  # further must-not-miss intents in the same message
    text: str = ""  # the customer's own words, as read

    def as_json(self) -> dict:
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "entities": self.entities.as_json(),
            "language": self.language,
            "source": self.source,
            "needs_agent": self.needs_agent,
            "also": list(self.also),
        }


def classify(
    text: str,
    *,
    received_at: datetime,
    timezone: str = "UTC",
    country: str = "",
    default_language: str = "en",
    threshold: float = DEFAULT_THRESHOLD,
) -> Understanding:
    """What the message asks for, with its date and amount read in the customer's time zone."""
    words = own_words(text) or text.strip()
    language = detect_language(words, default=default_language.split("-")[0] or "en")
    caught = must_not_miss(words)
    if caught:
        intent, confidence, source, needs_agent = caught[0], 1.0, "rule", False
    else:
        intent, confidence = _predict(words)
        source, needs_agent = "model", confidence < threshold
    entities = extract(
        words, received_at=received_at, timezone=timezone, country=country, past=intent == "paid_already"
    )
    return Understanding(
        intent, confidence, entities, language, source, needs_agent, tuple(caught[1:]), words
    )


def _predict(words: str) -> tuple[str, float]:
    model = trained_model()
    probabilities = model.predict_proba([words])[0]
    best = int(probabilities.argmax())
    return str(model.classes_[best]), float(probabilities[best])


# ---------------------------------------------------------------------------------------- training


def load_examples() -> list[Example]:
    """The labelled messages shipped with amicable, checked: every row names a known intent."""
    path = resources.files("amicable.understanding") / "data" / "messages.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        examples = [Example(**row) for row in csv.DictReader(handle)]
    for example in examples:
        if example.intent not in INTENTS:
            raise ValueError(f"messages.csv, {example.id}: unknown intent {example.intent!r}")
    return examples


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """Train and held-out sets: a fixed, stratified fifth held out, the same on every machine."""
    from sklearn.model_selection import train_test_split

    train, held_out = train_test_split(
        examples,
        test_size=HELD_OUT_SHARE,
        random_state=SPLIT_SEED,
        stratify=[f"{e.intent}:{e.language}" for e in examples],
    )
    return list(train), list(held_out)


def build_model():
    """Word and character n-grams of the normalised text (the characters catch typos and slang),
    weighed by a logistic regression that gives each intent a probability."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(preprocessor=normalised, ngram_range=(1, 2), sublinear_tf=True)),
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=normalised, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
                ),
            ),
        ]
    )
    classifier = LogisticRegression(C=20, max_iter=5000, class_weight="balanced")
    return Pipeline([("features", features), ("classify", classifier)])


def fit(examples: list[Example]):
    model = build_model()
    model.fit([own_words(e.text) or e.text for e in examples], [e.intent for e in examples])
    return model


@functools.cache
def trained_model():
    """The model that runs: trained on the train split, so the held-out figures describe it."""
    train, _ = split(load_examples())
    return fit(train)


def evaluate(threshold: float = DEFAULT_THRESHOLD) -> dict:
    """The classifier (rules, then the model) on the held-out split: accuracy, per-intent precision
    and recall, the confusion matrix, and how many messages would go to an agent."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    examples = load_examples()
    train, held_out = split(examples)
    at = datetime.fromisoformat("2026-01-05T12:00:00+00:00")
    answers = [classify(e.text, received_at=at, threshold=threshold) for e in held_out]
    truth = [e.intent for e in held_out]
    guessed = [a.intent for a in answers]
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, guessed, labels=list(INTENTS), zero_division=0
    )
    model_only = [_predict(own_words(e.text) or e.text)[0] for e in held_out]
    return {
        "examples": len(examples),
        "train": len(train),
        "held_out": len(held_out),
        "accuracy": round(accuracy_score(truth, guessed), 3),
        "model_accuracy_without_rules": round(accuracy_score(truth, model_only), 3),
        "sent_to_agent": sum(a.needs_agent for a in answers),
        "accuracy_when_acting": round(
            sum(a.intent == t for a, t in zip(answers, truth, strict=True) if not a.needs_agent)
            / max(1, sum(not a.needs_agent for a in answers)),
            3,
        ),
        "threshold": threshold,
        "by_language": {
            language: round(
                accuracy_score(
                    [t for t, e in zip(truth, held_out, strict=True) if e.language == language],
                    [g for g, e in zip(guessed, held_out, strict=True) if e.language == language],
                ),
                3,
            )
            for language in ("en", "es")
        },
        "intents": {
            intent: {
                "precision": round(float(p), 3),
                "recall": round(float(r), 3),
                "f1": round(float(f), 3),
                "support": int(s),
            }
            for intent, p, r, f, s in zip(INTENTS, precision, recall, f1, support, strict=True)
        },
        "labels": list(INTENTS),
        "confusion": confusion_matrix(truth, guessed, labels=list(INTENTS)).tolist(),
        "rules": _rule_recall(examples),
    }


def _rule_recall(examples: list[Example]) -> dict:
    """Over every labelled message: how many opt-outs and disputes the rules catch on their own, and
    how many other messages they wrongly catch."""
    result = {}
    for intent in ("opt_out", "dispute"):
        labelled = [e for e in examples if e.intent == intent]
        others = [e for e in examples if e.intent != intent]
        result[intent] = {
            "caught": sum(intent in must_not_miss(own_words(e.text) or e.text) for e in labelled),
            "of": len(labelled),
            "false_alarms": sum(intent in must_not_miss(own_words(e.text) or e.text) for e in others),
            "missed": [e.id for e in labelled if intent not in must_not_miss(own_words(e.text) or e.text)],
        }
    return result
