"""One project, several registries: find the records that are the same project.

Pure pandas and rapidfuzz, no Flask nor database: ``find_links(projects)`` takes one
frame of project records and returns the pairs, each with its kind, score and evidence.

- Deterministic links: records sharing an ARB / WA id (``shared_arb_id``), or a PoA /
  aggregate id across two registries (``shared_poa_id``).
- Suggestions (``suggested``): records in two registries, in the same country, whose names
  share a rare word (blocking), scored on the name (words weighted by rarity, so generic
  words such as project, forest, carbon, REDD weigh nothing), developer, project type,
  location and overlapping or back-to-back vintages and crediting periods; a registry's
  own statement that units came from another programme (Verra's "Units Transferred from
  Approved GHG Program", CAR's "Transitioned") adds to it. Names that carry different
  numbers ("ODS 55" / "ODS 63", "Phase I" / "Phase II") are held apart.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

import pandas as pd
from rapidfuzz import fuzz

# The frame's columns (the project table's names); `id` is the record's key.
ID = "id"
PROJECT_ID = "project_id"
REGISTRY = "registry"
NAME = "name"
STATUS = "status"
COUNTRY = "country"
STATE = "state"
SITE_LOCATION = "site_location"
PROJECT_TYPE = "project_type"
DEVELOPER = "developer"
FIRST_VINTAGE = "first_vintage"
LAST_VINTAGE = "last_vintage"
CREDITING_START = "crediting_period_start"
CREDITING_END = "crediting_period_end"
ARB_ID = "arb_id"
POA_ID = "poa_id"
COLUMNS = (
    ID,
    PROJECT_ID,
    REGISTRY,
    NAME,
    STATUS,
    COUNTRY,
    STATE,
    SITE_LOCATION,
    PROJECT_TYPE,
    DEVELOPER,
    FIRST_VINTAGE,
    LAST_VINTAGE,
    CREDITING_START,
    CREDITING_END,
    ARB_ID,
    POA_ID,
)
# The result's columns: a pair (lower key first), how it is known, its score and evidence.
PAIR_COLUMNS = ("project_a", "project_b", "kind", "score", "evidence")

DEFAULT_THRESHOLD = 0.72
# Words that say what a project is, not which one: they never make two records alike.
GENERIC_WORDS = frozenset(
    [
        "project",
        "projects",
        "programme",
        "program",
        "activity",
        "activities",
        "the",
        "of",
        "and",
        "in",
        "at",
        "by",
        "for",
        "from",
        "to",
        "with",
        "on",
        "a",
        "an",
        "de",
        "la",
        "el",
        "del",
        "do",
        "da",
        "des",
        "du",
        "le",
        "les",
        "y",
        "e",
        "et",
        "di",
        "carbon",
        "forest",
        "forests",
        "forestry",
        "redd",
        "reduction",
        "reductions",
        "emission",
        "emissions",
        "ghg",
        "co2",
        "cdm",
        "cer",
        "cers",
        "conversion",
        "converted",
        "ver",
        "vers",
        "vcs",
        "vcu",
        "gs",
        "gold",
        "standard",
        "verified",
        "power",
        "plant",
        "energy",
        "renewable",
        "electricity",
        "generation",
        "grid",
        "connected",
        "clean",
        "green",
        "management",
        "improved",
        "mitigation",
        "offset",
        "offsets",
        "credit",
        "credits",
        "climate",
        "landfill",
        "gas",
        "methane",
        "wind",
        "hydro",
        "hydropower",
        "hydroelectric",
        "solar",
        "biomass",
        "biogas",
        "stove",
        "stoves",
        "cookstove",
        "cookstoves",
        "bundled",
        "small",
        "scale",
        "mw",
        "kw",
        "phase",
        "unit",
        "units",
        "company",
        "co",
        "ltd",
        "limited",
        "inc",
        "llc",
        "pvt",
        "private",
        "sa",
        "s",
        "ltda",
        "corporation",
        "group",
        "international",
    ]
)
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7"}
LEGAL_WORDS = frozenset(
    [
        "co",
        "ltd",
        "limited",
        "inc",
        "llc",
        "pvt",
        "private",
        "sa",
        "s",
        "a",
        "ltda",
        "corp",
        "corporation",
        "the",
    ]
)
# What some registries write as the developer of a converted record: says nothing of who.
NO_DEVELOPER = ("credits transferred", "converted from", "multiple proponents", "deactivated")
STATEMENT_STATUSES = (
    "units transferred from approved ghg program",
    "transitioned",
    "transfer to another ghg program",
)
# A word shared by more records than this does not block (it would pair half a country).
MAX_BLOCK = 60
WEIGHTS = {"name": 0.62, "developer": 0.1, "type": 0.1, "location": 0.06, "period": 0.12}
STATEMENT_BONUS = 0.08
NUMBER_CONFLICT_FACTOR = 0.55


@lru_cache(maxsize=65536)
def _fold_text(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def fold(text) -> str:
    """Lower case, accents dropped, letters and digits split ('45MW' -> '45 mw')."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return ""
    return _fold_text(str(text))


def name_words(name) -> list[str]:
    return fold(name).split()


def name_numbers(words: list[str], previous_generic: bool = True) -> frozenset[str]:
    """The numbers a name carries (digits, and roman numerals after 'phase' or 'unit')."""
    numbers = {word.lstrip("0") or "0" for word in words if word.isdigit()}
    for before, word in itertools.pairwise(words):
        if before in ("phase", "unit", "stage", "block") and word in ROMAN:
            numbers.add(ROMAN[word])
    return frozenset(numbers)


def word_weights(names: pd.Series) -> dict[str, float]:
    """Inverse document frequency of every word; generic words and numbers weigh nothing."""
    counts = Counter(word for words in names for word in set(words))
    total = max(len(names), 1)
    return {
        word: 0.0 if word in GENERIC_WORDS or word.isdigit() else math.log(1 + total / count)
        for word, count in counts.items()
    }


def prepare(projects: pd.DataFrame) -> pd.DataFrame:
    """The records with their folded name words, numbers, developer and vintage span."""
    frame = projects.reindex(columns=list(COLUMNS)).reset_index(drop=True)
    words = frame[NAME].map(name_words)
    return frame.assign(
        words=words,
        numbers=words.map(name_numbers),
        developer_key=frame[DEVELOPER].map(developer_key),
        country_key=frame[COUNTRY].map(fold),
        type_key=frame[PROJECT_TYPE].map(fold),
        state_key=frame[STATE].map(fold),
        place_key=frame[SITE_LOCATION].map(fold),
        statement=frame[STATUS].map(fold).isin(STATEMENT_STATUSES),
    )


def developer_key(developer) -> str:
    folded = fold(developer)
    if not folded or any(folded.startswith(marker) for marker in NO_DEVELOPER):
        return ""
    return " ".join(word for word in folded.split() if word not in LEGAL_WORDS)


def candidate_pairs(records: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Row-number pairs (left < right) in two registries, same or unknown country, sharing
    a rare name word: the blocking step that keeps the scoring small."""
    tokens = records[["words"]].explode("words").dropna()
    # astype(bool): an empty object-typed mask would select columns, not rows.
    tokens = tokens[tokens["words"].map(lambda w: weights.get(w, 0.0) > 0).astype(bool)]
    tokens = tokens.reset_index().drop_duplicates()
    sizes = tokens.groupby("words")["index"].transform("size")
    tokens = tokens[(sizes > 1) & (sizes <= MAX_BLOCK)]
    pairs = tokens.merge(tokens, on="words", suffixes=("_left", "_right"))
    pairs = pairs[pairs["index_left"] < pairs["index_right"]]
    pairs = pairs[["index_left", "index_right"]].drop_duplicates().to_numpy()
    if len(pairs) == 0:
        return pd.DataFrame({"left": [], "right": []}, dtype=int)
    left, right = pairs[:, 0], pairs[:, 1]
    registry = records[REGISTRY].to_numpy()
    country = records["country_key"].to_numpy()
    keep = (registry[left] != registry[right]) & (
        (country[left] == country[right]) | (country[left] == "") | (country[right] == "")
    )
    return pd.DataFrame({"left": left[keep], "right": right[keep]})


def _name_similarity(a: list[str], b: list[str], weights: dict[str, float]) -> float:
    """Weighted overlap of the two names' words, half Jaccard, half containment."""
    set_a, set_b = set(a), set(b)
    weight = lambda words: sum(weights.get(w, 0.0) for w in words)  # noqa: E731
    shared = weight(set_a & set_b)
    if shared == 0:
        return 0.0
    union = weight(set_a | set_b)
    smaller = min(weight(set_a), weight(set_b))
    return 0.5 * shared / union + 0.5 * shared / smaller


def _span(first, last) -> tuple[float, float] | None:
    if pd.isna(first) and pd.isna(last):
        return None
    first = last if pd.isna(first) else first
    last = first if pd.isna(last) else last
    return float(first), float(last)


def _periods_touch(x: dict, y: dict) -> float | None:
    """1 when vintages or crediting periods overlap or follow on (a year apart), else 0."""
    spans = []
    for start, end, to_year in (
        (FIRST_VINTAGE, LAST_VINTAGE, float),
        (CREDITING_START, CREDITING_END, lambda d: float(pd.Timestamp(d).year)),
    ):
        a = _span(*(None if pd.isna(x[c]) else to_year(x[c]) for c in (start, end)))
        b = _span(*(None if pd.isna(y[c]) else to_year(y[c]) for c in (start, end)))
        if a is not None and b is not None:
            spans.append(a[0] <= b[1] + 1 and b[0] <= a[1] + 1)
    if not spans:
        return None
    return 1.0 if any(spans) else 0.0


def _location(x: dict, y: dict) -> float | None:
    scores = []
    if x["state_key"] and y["state_key"]:
        scores.append(1.0 if x["state_key"] == y["state_key"] else 0.0)
    if x["place_key"] and y["place_key"]:
        scores.append(fuzz.token_set_ratio(x["place_key"], y["place_key"]) / 100)
    return max(scores) if scores else None


def score_pair(x: dict, y: dict, weights: dict[str, float]) -> tuple[float, dict]:
    """The pair's score in [0, 1] and the evidence that made it."""
    evidence: dict = {"name": round(_name_similarity(x["words"], y["words"], weights), 3)}
    if x["developer_key"] and y["developer_key"]:
        evidence["developer"] = round(
            fuzz.token_set_ratio(x["developer_key"], y["developer_key"]) / 100, 3
        )
    if x["type_key"] and y["type_key"]:
        evidence["type"] = 1.0 if x["type_key"] == y["type_key"] else 0.0
    location = _location(x, y)
    if location is not None:
        evidence["location"] = round(location, 3)
    period = _periods_touch(x, y)
    if period is not None:
        evidence["period"] = period
    # A missing field neither helps nor hurts: it counts as half a match.
    score = sum(weight * evidence.get(field, 0.5) for field, weight in WEIGHTS.items())
    if x["statement"] or y["statement"]:
        evidence["registry_statement"] = x[STATUS] if x["statement"] else y[STATUS]
        score += STATEMENT_BONUS
    if x["numbers"] and y["numbers"] and x["numbers"] != y["numbers"]:
        evidence["different_numbers"] = [sorted(x["numbers"]), sorted(y["numbers"])]
        score *= NUMBER_CONFLICT_FACTOR
    return round(min(score, 1.0), 3), evidence


def _best_possible(name_score: float, statement: bool) -> float:
    """The score a pair would reach if every other field matched: prunes hopeless pairs."""
    others = sum(weight for field, weight in WEIGHTS.items() if field != "name")
    return WEIGHTS["name"] * name_score + others + (STATEMENT_BONUS if statement else 0.0)


def suggest_pairs(
    projects: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    only_ids: set | None = None,
) -> pd.DataFrame:
    """Scored pairs at or above ``threshold`` (names and fields only, never shared ids).

    ``only_ids``: keep only pairs with at least one of these records (what a sync changed).
    """
    records = prepare(projects)
    weights = word_weights(records["words"])
    candidates = candidate_pairs(records, weights)
    if only_ids is not None:
        touched = records[ID].isin(only_ids).to_numpy()
        candidates = candidates[touched[candidates["left"]] | touched[candidates["right"]]]
    words = records["words"].tolist()
    statement = records["statement"].tolist()
    rows = []
    by_row = None
    for left, right in candidates.itertuples(index=False):
        name = _name_similarity(words[left], words[right], weights)
        if _best_possible(name, statement[left] or statement[right]) < threshold:
            continue
        by_row = by_row or records.to_dict("index")
        x, y = by_row[left], by_row[right]
        score, evidence = score_pair(x, y, weights)
        if score >= threshold:
            rows.append(_pair(x[ID], y[ID], "suggested", score, evidence))
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS))


def _pair(a, b, kind: str, score, evidence: dict) -> dict:
    low, high = sorted((a, b))
    return {"project_a": low, "project_b": high, "kind": kind, "score": score, "evidence": evidence}


def shared_id_pairs(projects: pd.DataFrame) -> pd.DataFrame:
    """Records sharing an ARB / WA id (any registries), or a PoA id across registries.

    A PoA's own components (VPAs) share its id inside one registry: those are different
    activities, not one project listed twice, so they are not linked.
    """
    found = []
    for column, kind, across_only in (
        (ARB_ID, "shared_arb_id", False),
        (POA_ID, "shared_poa_id", True),
    ):
        if column not in projects:
            continue
        ids = projects[column].astype("string").str.strip()
        listed = pd.DataFrame({"key": projects[ID], "registry": projects[REGISTRY], "shared": ids})[
            ids.notna() & (ids != "")
        ]
        pairs = listed.merge(listed, on="shared", suffixes=("_a", "_b"))
        pairs = pairs[pairs["key_a"] < pairs["key_b"]]
        if across_only:
            pairs = pairs[pairs["registry_a"] != pairs["registry_b"]]
        found += [
            _pair(a, b, kind, 1.0, {column: shared})
            for a, b, shared in pairs[["key_a", "key_b", "shared"]].itertuples(index=False)
        ]
    return pd.DataFrame(found, columns=list(PAIR_COLUMNS))


def find_links(
    projects: pd.DataFrame,
    threshold: float = DEFAULT_THRESHOLD,
    only_ids: set | None = None,
) -> pd.DataFrame:
    """Every link found: shared ids first, then suggestions for the other pairs."""
    shared = shared_id_pairs(projects)
    if only_ids is not None and len(shared):
        shared = shared[shared["project_a"].isin(only_ids) | shared["project_b"].isin(only_ids)]
    suggested = suggest_pairs(projects, threshold, only_ids)
    combined = pd.concat([frame for frame in (shared, suggested) if len(frame)] or [shared])
    return combined.drop_duplicates(["project_a", "project_b"], keep="first").reset_index(drop=True)


def precision_recall(found: pd.DataFrame, labelled: pd.DataFrame) -> dict:
    """Precision and recall of ``found`` pairs (project ids) on a labelled set."""
    found_pairs = {tuple(sorted(p)) for p in zip(found["a"], found["b"], strict=True)}
    labelled_pairs = {
        tuple(sorted((a, b))): int(label)
        for a, b, label in labelled[["project_a", "project_b", "label"]].itertuples(index=False)
    }
    judged = {pair for pair in found_pairs if pair in labelled_pairs}
    true_found = sum(labelled_pairs[pair] for pair in judged)
    positives = sum(labelled_pairs.values())
    return {
        "judged": len(judged),
        "true_found": true_found,
        "false_found": len(judged) - true_found,
        "precision": true_found / len(judged) if judged else 1.0,
        "recall": true_found / positives if positives else 1.0,
    }
