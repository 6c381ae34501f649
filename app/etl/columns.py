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
COUNTRY_CODE = "country_code"
STATUS_CANONICAL = "status_canonical"
METHODOLOGY_CODE = "methodology_code"
METHODOLOGY_VERSION = "methodology_version"
REDUCTION_REMOVAL = "reduction_removal"
REGISTRY_PROJECT_TYPE = "registry_project_type"
SITE_LOCATION = "site_location"
PROJECT_OWNER = "project_owner"
OPERATOR = "operator"
DESIGNEE = "designee"
VERIFIER = "verifier"
ESTIMATED_ANNUAL_REDUCTIONS = "estimated_annual_reductions"
BUFFER_DEPOSITS = "buffer_deposits"
REVERSALS_COVERED = "reversals_covered"
REVERSALS_NOT_COVERED = "reversals_not_covered"
BUFFER_RELEASED = "buffer_released"
ARB_PROJECT = "arb_project"
ARB_ID = "arb_id"
ARB_STATUS = "arb_status"
POA_ID = "poa_id"
POA_STATUS = "poa_status"
REGISTERED_AT = "registered_at"
CREDITING_PERIOD_START = "crediting_period_start"
CREDITING_PERIOD_END = "crediting_period_end"
# How many times the crediting period was renewed (0: the initial one), where a registry says.
CREDITING_PERIOD_RENEWALS = "crediting_period_renewals"
CERTIFICATIONS = "certifications"
REGISTRY_NOTES = "registry_notes"
BERKELEY_NOTES = "berkeley_notes"
DATE_ADDED = "date_added"
FLAGS = "flags"

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
    COUNTRY_CODE,
    STATUS_CANONICAL,
    METHODOLOGY_CODE,
    METHODOLOGY_VERSION,
    REDUCTION_REMOVAL,
    REGISTRY_PROJECT_TYPE,
    SITE_LOCATION,
    PROJECT_OWNER,
    OPERATOR,
    DESIGNEE,
    VERIFIER,
    ESTIMATED_ANNUAL_REDUCTIONS,
    BUFFER_DEPOSITS,
    REVERSALS_COVERED,
    REVERSALS_NOT_COVERED,
    BUFFER_RELEASED,
    ARB_PROJECT,
    ARB_ID,
    ARB_STATUS,
    POA_ID,
    POA_STATUS,
    REGISTERED_AT,
    CREDITING_PERIOD_START,
    CREDITING_PERIOD_END,
    CREDITING_PERIOD_RENEWALS,
    CERTIFICATIONS,
    REGISTRY_NOTES,
    BERKELEY_NOTES,
    DATE_ADDED,
)
PROJECT_COLUMNS = (PROJECT_ID, *PROJECT_FIELDS, SOURCE, PROVENANCE, FLAGS, SEARCH_TEXT)
NUMBER_FIELDS = (
    ISSUED,
    RETIRED,
    FIRST_VINTAGE,
    LAST_VINTAGE,
    ESTIMATED_ANNUAL_REDUCTIONS,
    BUFFER_DEPOSITS,
    REVERSALS_COVERED,
    REVERSALS_NOT_COVERED,
    BUFFER_RELEASED,
    CREDITING_PERIOD_RENEWALS,
)
DATE_FIELDS = (LISTED_AT, REGISTERED_AT, CREDITING_PERIOD_START, CREDITING_PERIOD_END, DATE_ADDED)
# Text whose line breaks are content (paragraphs): white space is folded within lines only.
MULTILINE_FIELDS = (DESCRIPTION, REGISTRY_NOTES, BERKELEY_NOTES)
TEXT_FIELDS = tuple(
    f for f in PROJECT_FIELDS if f not in (*NUMBER_FIELDS, *DATE_FIELDS, IS_COMPLIANCE)
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
# project_yearly_figure (project_id holds the canonical id until the load maps it)
BLOCK = "block"
ISSUED_BY_VINTAGE = "issued_by_vintage"
ISSUED_BY_YEAR = "issued_by_year"
RETIRED_BY_YEAR = "retired_by_year"
REMAINING_BY_VINTAGE = "remaining_by_vintage"
YEARLY_BLOCKS = (ISSUED_BY_VINTAGE, ISSUED_BY_YEAR, RETIRED_BY_YEAR, REMAINING_BY_VINTAGE)

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

YEARLY_COLUMNS = (PROJECT_ID, BLOCK, YEAR, QUANTITY, SOURCE)

ISSUANCE = "issuance"
RETIREMENT = "retirement"
CANCELLATION = "cancellation"
BUFFER = "buffer"  # credits deposited in the buffer pool
BUFFER_RELEASE = "buffer_release"  # buffer credits released (to the project, or cancelled)

REGISTRIES = ("VCS", "GLD", "ACR", "CAR", "ART")

OFFSETSDB = "offsetsdb"
VROD = "vrod"
BOTH = "both"
REGISTRY_SOURCE = "registry"
