"""The product's own vocabulary as the pages show it, in the page's language.

The sync stores canonical statuses and categories as English display text (app/etl/vocabulary),
and the cached search results keep them so: they are translated here, when a page is rendered,
never before they are cached. Data text from the sources (a registry's own status, a project
type as a source wrote it) has no entry and shows as it is.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The status groups of the catalogue's status facet (app.models.STATUS_GROUPS).
STATUS_GROUP_LABELS = {
    "listed": _l("Listed"),
    "registered": _l("Registered"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
    "unknown": _l("Unknown"),
}

# Kinds of credit records (app.models.CREDIT_KINDS).
CREDIT_KIND_LABELS = {
    "issuance": _l("Issuance"),
    "retirement": _l("Retirement"),
    "cancellation": _l("Cancellation"),
    "buffer": _l("Buffer"),
    "buffer_release": _l("Buffer release"),
}

# Project types (app/etl/vocabulary/project_type.py TYPE_LABELS), by their display text.
PROJECT_TYPE_LABELS = {
    "Advanced Refrigerants": _l("Advanced Refrigerants"),
    "Afforestation/Reforestation": _l("Afforestation/Reforestation"),
    "Aluminum Smelters Emission Reductions": _l("Aluminum Smelters Emission Reductions"),
    "Avoided Forest Conversion": _l("Avoided Forest Conversion"),
    "Avoided Grassland Conversion": _l("Avoided Grassland Conversion"),
    "BECCS": _l("BECCS"),
    "Bicycles": _l("Bicycles"),
    "Biochar": _l("Biochar"),
    "Biodigesters": _l("Biodigesters"),
    "Biomass": _l("Biomass"),
    "Biomass Burial": _l("Biomass Burial"),
    "Biomass Injection": _l("Biomass Injection"),
    "Brick Manufacturing Emission Reductions": _l("Brick Manufacturing Emission Reductions"),
    "Bundled Compost Production and Soil Application": _l(
        "Bundled Compost Production and Soil Application"
    ),
    "Bundled Energy Efficiency": _l("Bundled Energy Efficiency"),
    "Carbon Capture & Enhanced Oil Recovery": _l("Carbon Capture & Enhanced Oil Recovery"),
    "Carbon Capture in Concrete": _l("Carbon Capture in Concrete"),
    "Carbon Capture in Plastic": _l("Carbon Capture in Plastic"),
    "Carbon-Absorbing Concrete": _l("Carbon-Absorbing Concrete"),
    "Clean Water": _l("Clean Water"),
    "Community Boreholes": _l("Community Boreholes"),
    "Composting": _l("Composting"),
    "Cookstoves": _l("Cookstoves"),
    "Direct Air Capture": _l("Direct Air Capture"),
    "Electric Vehicles & Charging": _l("Electric Vehicles & Charging"),
    "Energy Efficiency": _l("Energy Efficiency"),
    "Energy Storage": _l("Energy Storage"),
    "Enhanced Rock Weathering": _l("Enhanced Rock Weathering"),
    "Feed Additives": _l("Feed Additives"),
    "Fleet Efficiency": _l("Fleet Efficiency"),
    "Fuel Switching": _l("Fuel Switching"),
    "Fuel Transport": _l("Fuel Transport"),
    "Geothermal": _l("Geothermal"),
    "Grid Expansion & Mini-Grids": _l("Grid Expansion & Mini-Grids"),
    "HFC Refrigerant Reclamation": _l("HFC Refrigerant Reclamation"),
    "HFC Replacement in Foam Production": _l("HFC Replacement in Foam Production"),
    "HFC23 Destruction": _l("HFC23 Destruction"),
    "Hydropower": _l("Hydropower"),
    "Improved Forest Management": _l("Improved Forest Management"),
    "Improved Irrigation Management": _l("Improved Irrigation Management"),
    "Jurisdictional REDD+": _l("Jurisdictional REDD+"),
    "Landfill Methane": _l("Landfill Methane"),
    "Leak Detection & Repair in Gas Systems": _l("Leak Detection & Repair in Gas Systems"),
    "Lighting": _l("Lighting"),
    "Lower Carbon Cement & Concrete": _l("Lower Carbon Cement & Concrete"),
    "Manure Methane Digester": _l("Manure Methane Digester"),
    "Mass Transit": _l("Mass Transit"),
    "Methane Recovery in Wastewater": _l("Methane Recovery in Wastewater"),
    "Mine Methane Capture": _l("Mine Methane Capture"),
    "N2O Destruction in Adipic Acid Production": _l("N2O Destruction in Adipic Acid Production"),
    "N2O Destruction in Nitric Acid Production": _l("N2O Destruction in Nitric Acid Production"),
    "Natural Gas Electricity Generation": _l("Natural Gas Electricity Generation"),
    "Nitrogen Management": _l("Nitrogen Management"),
    "Oil Recycling": _l("Oil Recycling"),
    "Ozone Depleting Substances Recovery & Destruction": _l(
        "Ozone Depleting Substances Recovery & Destruction"
    ),
    "Plugging Oil & Gas Wells": _l("Plugging Oil & Gas Wells"),
    "Pneumatic Retrofit": _l("Pneumatic Retrofit"),
    "Propylene Oxide Production": _l("Propylene Oxide Production"),
    "RE Bundled": _l("RE Bundled"),
    "REDD+": _l("REDD+"),
    "Refrigerant Leak Detection": _l("Refrigerant Leak Detection"),
    "Rice Emission Reductions": _l("Rice Emission Reductions"),
    "Road Construction Emission Reductions": _l("Road Construction Emission Reductions"),
    "SF6 Replacement": _l("SF6 Replacement"),
    "Shipping": _l("Shipping"),
    "Solar - Centralized": _l("Solar - Centralized"),
    "Solar - Distributed": _l("Solar - Distributed"),
    "Solar Lighting": _l("Solar Lighting"),
    "Solar Water Heaters": _l("Solar Water Heaters"),
    "Solid Waste Separation": _l("Solid Waste Separation"),
    "Sustainable Agriculture": _l("Sustainable Agriculture"),
    "Sustainable Grassland Management": _l("Sustainable Grassland Management"),
    "Truck Stop Electrification": _l("Truck Stop Electrification"),
    "University Campus Emission Reductions": _l("University Campus Emission Reductions"),
    "Waste Diversion": _l("Waste Diversion"),
    "Waste Gas Recovery": _l("Waste Gas Recovery"),
    "Waste Heat Recovery": _l("Waste Heat Recovery"),
    "Waste Incineration": _l("Waste Incineration"),
    "Waste Recycling": _l("Waste Recycling"),
    "Waste Reduction": _l("Waste Reduction"),
    "Weatherization": _l("Weatherization"),
    "Wetland Restoration": _l("Wetland Restoration"),
    "Wind": _l("Wind"),
}

# Canonical statuses (app/etl/vocabulary/status.py), project categories
# (app/etl/vocabulary/project_type.py CATEGORY_LABELS) and types, by their English display text.
VOCABULARY_LABELS = {
    "Listed": _l("Listed"),
    "Under development": _l("Under development"),
    "Under validation": _l("Under validation"),
    "Certified design": _l("Certified design"),
    "Registration requested": _l("Registration requested"),
    "Renewal requested": _l("Renewal requested"),
    "Registered": _l("Registered"),
    "Late to verify": _l("Late to verify"),
    "Verification requested": _l("Verification requested"),
    "Requantification requested": _l("Requantification requested"),
    "Transferred in": _l("Transferred in"),
    "Transitioned": _l("Transitioned"),
    "On hold": _l("On hold"),
    "Completed": _l("Completed"),
    "Withdrawn": _l("Withdrawn"),
    "Inactive": _l("Inactive"),
    "Cancelled": _l("Cancelled"),
    "Rejected": _l("Rejected"),
    "Transferred out": _l("Transferred out"),
    "Agriculture": _l("Agriculture"),
    "Direct air capture": _l("Direct air capture"),
    "Alkalinity removal": _l("Alkalinity removal"),
    "Biomass removal": _l("Biomass removal"),
    "Carbon capture": _l("Carbon capture"),
    "Energy efficiency": _l("Energy efficiency"),
    "Forest": _l("Forest"),
    "Fuel switching": _l("Fuel switching"),
    "GHG management": _l("GHG management"),
    "Land use": _l("Land use"),
    "Renewable energy": _l("Renewable energy"),
    **PROJECT_TYPE_LABELS,
}


def vocabulary_label(value):
    """A canonical status, category or project type in the page's language; other text as is."""
    label = VOCABULARY_LABELS.get(value)
    return str(label) if label is not None else value


def status_label(group: str | None) -> str:
    """'registered' -> 'Registered' ('등록됨')."""
    label = STATUS_GROUP_LABELS.get(group or "")
    return str(label) if label is not None else (group or "").capitalize()


def credit_kind_label(kind: str | None) -> str:
    label = CREDIT_KIND_LABELS.get(kind or "")
    return str(label) if label is not None else (kind or "").capitalize()
