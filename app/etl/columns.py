"""Column names of the pipeline's frames, in one place.

Raw source headers are mapped to these names once, at the edge (``offsetsdb``,
``vrod``); every step after that speaks only these names, which are also the
``project`` and ``credit`` table's column names.
"""

from __future__ import annotations

# project
PROJECT_ID = "project_id"
NAME = "name"
REGISTRY = "registry"
STATUS = "status"
STATUS_GROUP = "status_group"
COUNTRY = "country"
REGION = "region"
STATE = "state"
SCOPE = "scope"
PROJECT_TYPE = "project_type"
CATEGORY = "category"
METHODOLOGY = "methodology"
DEVELOPER = "developer"
WEBSITE = "website"
REGISTRY_URL = "registry_url"
DOCUMENTS_URL = "documents_url"
DESCRIPTION = "description"
LISTED_AT = "listed_at"
IS_COMPLIANCE = "is_compliance"
ISSUED = "issued"
RETIRED = "retired"
FIRST_VINTAGE = "first_vintage"
LAST_VINTAGE = "last_vintage"
SOURCE = "source"
PROVENANCE = "provenance"
SEARCH_TEXT = "search_text"

# The fields a source supplies; provenance records which source gave each.
PROJECT_FIELDS = (
    NAME,
    REGISTRY,
    STATUS,
    STATUS_GROUP,
    COUNTRY,
    REGION,
    STATE,
    SCOPE,
    PROJECT_TYPE,
    CATEGORY,
    METHODOLOGY,
    DEVELOPER,
    WEBSITE,
    REGISTRY_URL,
    DOCUMENTS_URL,
    DESCRIPTION,
    LISTED_AT,
    IS_COMPLIANCE,
    ISSUED,
    RETIRED,
    FIRST_VINTAGE,
    LAST_VINTAGE,
)
PROJECT_COLUMNS = (PROJECT_ID, *PROJECT_FIELDS, SOURCE, PROVENANCE, SEARCH_TEXT)
TEXT_FIELDS = tuple(
    f
    for f in PROJECT_FIELDS
    if f not in (ISSUED, RETIRED, FIRST_VINTAGE, LAST_VINTAGE, LISTED_AT, IS_COMPLIANCE)
)

# credit (project_id holds the canonical id string until the load maps it to project.id)
KIND = "kind"
VINTAGE = "vintage"
TRANSACTION_DATE = "transaction_date"
YEAR = "year"
QUANTITY = "quantity"
BENEFICIARY = "beneficiary"
REASON = "reason"
NOTE = "note"
ACCOUNT = "account"
CREDIT_COLUMNS = (
    PROJECT_ID,
    KIND,
    VINTAGE,
    TRANSACTION_DATE,
    YEAR,
    QUANTITY,
    SOURCE,
    BENEFICIARY,
    REASON,
    NOTE,
    ACCOUNT,
)

ISSUANCE = "issuance"
RETIREMENT = "retirement"
CANCELLATION = "cancellation"

REGISTRIES = ("VCS", "GLD", "ACR", "CAR", "ART")

OFFSETSDB = "offsetsdb"
VROD = "vrod"
BOTH = "both"
