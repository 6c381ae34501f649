"""Project type and category: one list of readable labels, case and spacing folded.

Types are Berkeley's VROD types (``TYPE_LABELS``: folded type -> label, VROD's own
spelling; where the release spells a type two ways, the more common spelling). An
OffsetsDB type is CarbonPlan's display name of a VROD type (``Afforestation +
Reforestation``): it takes that type's label where the display name belongs to one
VROD type, else it stays as given. A type in neither list keeps its text.

Categories are CarbonPlan's (``type-category-mapping.json``, MIT), from the VROD type;
their slugs are shown by ``CATEGORY_LABELS`` (``renewable-energy`` -> ``Renewable energy``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_SPACES = re.compile(r"\s+")
_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})")

# folded VROD type -> label
TYPE_LABELS = {
    "advanced refrigerants": "Advanced Refrigerants",
    "afforestation/reforestation": "Afforestation/Reforestation",
    "aluminum smelters emission reductions": "Aluminum Smelters Emission Reductions",
    "avoided forest conversion": "Avoided Forest Conversion",
    "avoided grassland conversion": "Avoided Grassland Conversion",
    "beccs": "BECCS",
    "bicycles": "Bicycles",
    "biochar": "Biochar",
    "biodigesters": "Biodigesters",
    "biomass": "Biomass",
    "biomass burial": "Biomass Burial",
    "biomass injection": "Biomass Injection",
    "brick manufacturing emission reductions": "Brick Manufacturing Emission Reductions",
    "bundled compost production and soil application": (
        "Bundled Compost Production and Soil Application"
    ),
    "bundled energy efficiency": "Bundled Energy Efficiency",
    "carbon capture & enhanced oil recovery": "Carbon Capture & Enhanced Oil Recovery",
    "carbon capture in concrete": "Carbon Capture in Concrete",
    "carbon capture in plastic": "Carbon Capture in Plastic",
    "carbon-absorbing concrete": "Carbon-Absorbing Concrete",
    "clean water": "Clean Water",
    "community boreholes": "Community Boreholes",
    "composting": "Composting",
    "cookstoves": "Cookstoves",
    "direct air capture": "Direct Air Capture",
    "electric vehicles & charging": "Electric Vehicles & Charging",
    "energy efficiency": "Energy Efficiency",
    "energy storage": "Energy Storage",
    "enhanced rock weathering": "Enhanced Rock Weathering",
    "feed additives": "Feed Additives",
    "fleet efficiency": "Fleet Efficiency",
    "fuel switching": "Fuel Switching",
    "fuel transport": "Fuel Transport",
    "geothermal": "Geothermal",
    "grid expansion & mini-grids": "Grid Expansion & Mini-Grids",
    "hfc refrigerant reclamation": "HFC Refrigerant Reclamation",
    "hfc replacement in foam production": "HFC Replacement in Foam Production",
    "hfc23 destruction": "HFC23 Destruction",
    "hydropower": "Hydropower",
    "improved forest management": "Improved Forest Management",
    "improved irrigation management": "Improved Irrigation Management",
    "jurisdictional redd+": "Jurisdictional REDD+",
    "landfill methane": "Landfill Methane",
    "leak detection & repair in gas systems": "Leak Detection & Repair in Gas Systems",
    "lighting": "Lighting",
    "lower carbon cement & concrete": "Lower Carbon Cement & Concrete",
    "manure methane digester": "Manure Methane Digester",
    "mass transit": "Mass Transit",
    "methane recovery in wastewater": "Methane Recovery in Wastewater",
    "mine methane capture": "Mine Methane Capture",
    "n2o destruction in adipic acid production": "N2O Destruction in Adipic Acid Production",
    "n2o destruction in nitric acid production": "N2O Destruction in Nitric Acid Production",
    "natural gas electricity generation": "Natural Gas Electricity Generation",
    "nitrogen management": "Nitrogen Management",
    "oil recycling": "Oil Recycling",
    "ozone depleting substances recovery & destruction": (
        "Ozone Depleting Substances Recovery & Destruction"
    ),
    "plugging oil & gas wells": "Plugging Oil & Gas Wells",
    "pneumatic retrofit": "Pneumatic Retrofit",
    "propylene oxide production": "Propylene Oxide Production",
    "re bundled": "RE Bundled",
    "redd+": "REDD+",
    "refrigerant leak detection": "Refrigerant Leak Detection",
    "rice emission reductions": "Rice Emission Reductions",
    "road construction emission reductions": "Road Construction Emission Reductions",
    "sf6 replacement": "SF6 Replacement",
    "shipping": "Shipping",
    "solar - centralized": "Solar - Centralized",
    "solar - distributed": "Solar - Distributed",
    "solar lighting": "Solar Lighting",
    "solar water heaters": "Solar Water Heaters",
    "solid waste separation": "Solid Waste Separation",
    "sustainable agriculture": "Sustainable Agriculture",
    "sustainable grassland management": "Sustainable Grassland Management",
    "truck stop electrification": "Truck Stop Electrification",
    "university campus emission reductions": "University Campus Emission Reductions",
    "waste diversion": "Waste Diversion",
    "waste gas recovery": "Waste Gas Recovery",
    "waste heat recovery": "Waste Heat Recovery",
    "waste incineration": "Waste Incineration",
    "waste recycling": "Waste Recycling",
    "waste reduction": "Waste Reduction",
    "weatherization": "Weatherization",
    "wetland restoration": "Wetland Restoration",
    "wind": "Wind",
}

CATEGORY_LABELS = {
    "agriculture": "Agriculture",
    "air-capture": "Direct air capture",
    "alkalinity-cdr": "Alkalinity removal",
    "biomass-cdr": "Biomass removal",
    "carbon-capture": "Carbon capture",
    "energy-efficiency": "Energy efficiency",
    "forest": "Forest",
    "fuel-switching": "Fuel switching",
    "ghg-management": "GHG management",
    "land-use": "Land use",
    "renewable-energy": "Renewable energy",
}

_MAPPING = json.loads(Path(__file__).with_name("type-category-mapping.json").read_text())
# CarbonPlan's mapping escapes some subscripts twice ("N\\u2082O"): decode them.
_DISPLAY = {
    kind: _ESCAPED.sub(lambda m: chr(int(m[1], 16)), entry["project-type-display-name"])
    for kind, entry in _MAPPING.items()
}
CATEGORY_OF_TYPE = {kind: entry["category"] for kind, entry in _MAPPING.items()}


def _display_to_type() -> dict[str, str]:
    """CarbonPlan display name (folded) -> VROD type, where only one type has that name."""
    owners: dict[str, list[str]] = {}
    for kind, display in _DISPLAY.items():
        owners.setdefault(display.lower(), []).append(kind)
    return {display: kinds[0] for display, kinds in owners.items() if len(kinds) == 1}


_FROM_DISPLAY = _display_to_type()


def _missing(raw) -> bool:
    return not isinstance(raw, str) or not raw.strip()


def fold_type(raw) -> str:
    return _SPACES.sub(" ", str(raw)).strip().lower()


def type_key(raw) -> str | None:
    """The folded VROD type a source's type names, or None when it names none."""
    if _missing(raw):
        return None
    folded = fold_type(raw)
    if folded in TYPE_LABELS:
        return folded
    return _FROM_DISPLAY.get(folded)


def type_label(raw) -> str | None:
    """'Solar - centralized' -> 'Solar - Centralized'; 'Afforestation + Reforestation' ->
    'Afforestation/Reforestation'; an unknown type keeps its text (spaces folded)."""
    if _missing(raw):
        return None
    key = type_key(raw)
    return TYPE_LABELS[key] if key else _SPACES.sub(" ", str(raw)).strip()


def category_slug(raw_type) -> str | None:
    key = type_key(raw_type)
    return CATEGORY_OF_TYPE.get(key) if key else None


def category_label(value) -> str | None:
    """'renewable-energy' -> 'Renewable energy'; an unlisted slug gets its dashes as spaces."""
    if _missing(value):
        return None
    text = str(value).strip()
    folded = text.lower()
    if folded in CATEGORY_LABELS:
        return CATEGORY_LABELS[folded]
    for label in CATEGORY_LABELS.values():
        if label.lower() == folded:
            return label
    words = text.replace("-", " ").replace("_", " ")
    return words[:1].upper() + words[1:]
