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
# project fields the registries' own data adds (the model's columns of the same names)
COUNTRY_CODE = "country_code"
REGISTRY_PROJECT_TYPE = "registry_project_type"
REDUCTION_REMOVAL = "reduction_removal"
SITE_LOCATION = "site_location"
PROJECT_OWNER = "project_owner"
OPERATOR = "operator"
DESIGNEE = "designee"
VERIFIER = "verifier"
ESTIMATED_ANNUAL_REDUCTIONS = "estimated_annual_reductions"
ARB_ID = "arb_id"
ARB_STATUS = "arb_status"
POA_ID = "poa_id"
REGISTERED_AT = "registered_at"
CREDITING_PERIOD_START = "crediting_period_start"
CREDITING_PERIOD_END = "crediting_period_end"
CERTIFICATIONS = "certifications"
REGISTRY_NOTES = "registry_notes"
REGISTRY_FIELDS = (
    COUNTRY_CODE,
    REGISTRY_PROJECT_TYPE,
    REDUCTION_REMOVAL,
    SITE_LOCATION,
    PROJECT_OWNER,
    OPERATOR,
    DESIGNEE,
    VERIFIER,
    ESTIMATED_ANNUAL_REDUCTIONS,
    ARB_ID,
    ARB_STATUS,
    POA_ID,
    REGISTERED_AT,
    CREDITING_PERIOD_START,
    CREDITING_PERIOD_END,
    CERTIFICATIONS,
    REGISTRY_NOTES,
)

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
    *REGISTRY_FIELDS,
)
DATE_FIELDS = (LISTED_AT, REGISTERED_AT, CREDITING_PERIOD_START, CREDITING_PERIOD_END)
INTEGER_FIELDS = (ISSUED, RETIRED, FIRST_VINTAGE, LAST_VINTAGE, ESTIMATED_ANNUAL_REDUCTIONS)
PROJECT_COLUMNS = (PROJECT_ID, *PROJECT_FIELDS, SOURCE, PROVENANCE, SEARCH_TEXT)
TEXT_FIELDS = tuple(
    f for f in PROJECT_FIELDS if f not in (*INTEGER_FIELDS, *DATE_FIELDS, IS_COMPLIANCE)
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
SERIAL_RANGE = "serial_range"
CANCELLATION_REASON = "cancellation_reason"
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
# Every column of a credit record the load writes: the registries' own data adds the serial
# range and the cancellation reason, which OffsetsDB and VROD do not give.
CREDIT_RECORD_COLUMNS = (*CREDIT_COLUMNS, SERIAL_RANGE, CANCELLATION_REASON)

ISSUANCE = "issuance"
RETIREMENT = "retirement"
CANCELLATION = "cancellation"
BUFFER = "buffer"

REGISTRIES = ("VCS", "GLD", "ACR", "CAR", "ART")

OFFSETSDB = "offsetsdb"
VROD = "vrod"
BOTH = "both"
REGISTRY_SOURCE = "registry"
