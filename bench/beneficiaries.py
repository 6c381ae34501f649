"""Realistic beneficiary text for the bench's credit rows: real-world spelling variety.

Organisations are real names seen in the registries' retirement exports (the samples in
tests/fixtures/credits/) plus synthetic ones built from common company-name words, with a
long-tailed popularity (a few retire often, most rarely). Each record spells its name one
of the ways registries do: as registered, upper-cased, with or without the legal suffix and
its punctuation, or inside an "on behalf of" sentence with a purpose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REAL_NAMES = (
    "Delta Air Lines, Inc.",
    "Shopify Inc.",
    "United Parcel Service, Inc.",
    "Hilti Corporation",
    "Coca-Cola",
    "Pepsico",
    "Abbott",
    "Korn Ferry",
    "MidFirst Bank",
    "Intact Financial Corporation",
    "Bullfrog Power Inc.",
    "ENGIE Energía Chile S.A.",
    "Eni Plenitude S.p.A. Società Benefit",
    "Groenbalans BV",
    "Bradesco Seguros",
    "Lindblad Expeditions",
    "Southampton Container Terminals Limited",
    "Hengtong Submarine Power Cable Co., Ltd.",
    "KUVEYT TÜRK KATILIM BANKASI A.Ş.",
    "Eureko Sigorta A.Ş.",
    "Turkcell İletişim Hizmetleri A.Ş.",
    "Plansee Holding AG",
    "Japan Airlines Co., Ltd.",
    "ALL NIPPON AIRWAYS CO., LTD",
    "Chanel",
    "Bain & Company",
    "Yelp Inc.",
    "Maple Leaf Foods",
    "Ascend Performance Materials Operations LLC",
    "Dickinson College",
    "International Monetary Fund",
    "Rubim Produções",
    "Velas do Engenho",
    "Care Natural Beauty",
    "TIM S/A",
    "Var Group SpA",
    "Namatours Sarl",
    "OR Royalties Inc.",
    "Microsoft Corporation",
    "Shell plc",
    "Siemens AG",
    "Deutsche Post DHL Group",
    "Volkswagen AG",
    "Nestlé S.A.",
    "Salesforce, Inc.",
    "Netflix, Inc.",
    "Alaska Airlines",
    "easyJet plc",
    "Swiss International Air Lines Ltd.",
    "Natura &Co",
)
_FIRST = (
    "Nordic",
    "Pacific",
    "Atlas",
    "Green",
    "Blue",
    "Summit",
    "Northern",
    "Global",
    "Royal",
    "Silver",
    "Golden",
    "Prime",
    "Union",
    "Metro",
    "Alpine",
    "Coastal",
    "Sun",
    "River",
    "Eagle",
    "Pioneer",
    "Harbor",
    "Evergreen",
    "Crescent",
    "Liberty",
    "Sierra",
    "Delta",
    "Orion",
    "Vertex",
    "Horizon",
    "Cedar",
)
_SECOND = (
    "Energy",
    "Foods",
    "Airlines",
    "Bank",
    "Logistics",
    "Insurance",
    "Telecom",
    "Motors",
    "Pharma",
    "Textiles",
    "Retail",
    "Hotels",
    "Mining",
    "Cement",
    "Paper",
    "Software",
    "Shipping",
    "Brewing",
    "Chemicals",
    "Media",
)
_SUFFIXES = ("Inc.", "Ltd", "LLC", "GmbH", "S.A.", "AG", "plc", "Corp.", "B.V.", "Pty Ltd", "")
_PURPOSES = (
    "for {year} emissions",
    "to offset FY{year} GHG emissions",
    "for its {year} business travel",
    "- carbon neutral operations {year}",
    "as a contribution towards its climate pledge",
)
REASONS = (
    ("On Behalf of Third Party", 0.35),
    ("Environmental Benefit", 0.25),
    ("Retirement for Person or Organization", 0.1),
    ("Corporate Emissions Inventory Accounting", 0.05),
    ("Contribution Towards Corporate Climate Pledge", 0.05),
    ("CORSIA Compliance", 0.03),
    ("Other", 0.07),
    (None, 0.10),
)
ACCOUNTS = (
    "ClimeCo LLC",
    "Bonneville Environmental Foundation",
    "South Pole Carbon Asset Management",
    "Patch Technologies, Inc.",
    "3Degrees Group, Inc",
    "Climate Impact Partners, LLC",
    "Watershed Technology, Inc",
    "ACT Commodities BV",
    "Carbonplace UK Limited",
    None,
)


def organisations(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` distinct organisation names: the real ones first, then synthetic ones."""
    names = list(REAL_NAMES)
    seen = set(names)
    while len(names) < count:
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
        if rng.random() < 0.3:
            name = f"{rng.choice(_FIRST)} {name}"
        name = f"{name} {rng.choice(_SUFFIXES)}".strip()
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def spelling(rng: np.random.Generator, name: str, year: int) -> str:
    """One way a registry export might write ``name``."""
    draw = rng.random()
    if draw < 0.45:
        return name
    if draw < 0.6:
        return name.upper()
    if draw < 0.72:
        return name.replace(",", "").replace(".", "")
    if draw < 0.8:
        words = name.split()
        return " ".join(words[:-1]) if len(words) > 1 else name
    purpose = str(rng.choice(_PURPOSES)).format(year=year)
    return f"Retired on behalf of {name} {purpose}"


def beneficiary_columns(
    rng: np.random.Generator, kind: np.ndarray, year: np.ndarray, organisations_count: int = 6000
) -> pd.DataFrame:
    """beneficiary, reason, note, account for each record (retirements mostly named)."""
    count = len(kind)
    names = organisations(rng, organisations_count)
    weight = 1.0 / (np.arange(len(names)) + 10.0)
    chosen = rng.choice(len(names), size=count, p=weight / weight.sum())
    named = (kind == "retirement") & (rng.random(count) < 0.75)
    beneficiary = np.array(
        [
            spelling(rng, names[i], int(y)) if ok else None
            for i, y, ok in zip(chosen, year, named, strict=True)
        ],
        dtype=object,
    )
    reasons, p = zip(*REASONS, strict=True)
    retired = kind != "issuance"
    reason = np.where(retired, rng.choice(np.array(reasons, dtype=object), count, p=p), None)
    note = np.where(
        named & (rng.random(count) < 0.3),
        np.char.add("Retirement for ", year.astype(str)) if count else [],
        None,
    )
    account = np.where(retired, rng.choice(np.array(ACCOUNTS, dtype=object), count), None)
    return pd.DataFrame(
        {"beneficiary": beneficiary, "reason": reason, "note": note, "account": account}
    )
