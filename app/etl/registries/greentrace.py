"""ICE GreenTrace (ACR since 2026; ART moving there): project summaries and the ledger.

POST {GREENTRACE_API_URL}/project/{T}/project-summaries/results and
/credit/{T}/holding-summaries/results, a form body only (JSON answers 500):
``offset=0&pageNumber=1&max=2000&holdingStatus=RETIRED``. ``max`` clamps at 2,000;
the offset steps to ``totalCount``. The reply's dataset key follows the status asked
(ISSUED -> issuedCredits, RETIRED -> retiredCredits, CANCELED -> cancelledCredits); a
reply keyed ``holdings`` means the filter was ignored (the whole book), and fails.
About 100 calls per 10 minutes are allowed (then 429 with Retry-After: 3600, and later
401 "Invalid API Key" everywhere until it clears), so the client paces its calls.

The ledger holds blocks in their current state: retirements and cancellations are
their blocks; an issuance is one (project, vintage, issuance batch) with the batch's
``issuanceQuantity``, found among the blocks of every state; buffer pool blocks are
``buffer`` records.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from app.etl import columns as c
from app.etl.http import FetchError, RegistryClient
from app.etl.registries import apx
from app.etl.registries.base import FetchSettings, RegistryData
from app.etl.registries.exports import numbers, vintage_years

PAGE = 2000
LEDGERS = {"ISSUED": "issuedCredits", "RETIRED": "retiredCredits", "CANCELED": "cancelledCredits"}


def fetch_greentrace(
    client: RegistryClient, settings: FetchSettings, layout: apx.Layout, tenant: str
) -> RegistryData:
    base = settings.base_url.rstrip("/")
    code = layout.code
    totals: dict[str, int] = {}
    projects = _rows(client, f"{base}/project/{tenant}/project-summaries/results", {}, None, totals)
    ledger = {
        status: _rows(
            client,
            f"{base}/credit/{tenant}/holding-summaries/results",
            {"holdingStatus": status},
            key,
            totals,
        )
        for status, key in LEDGERS.items()
    }
    buffer = _rows(client, f"{base}/credit/{tenant}/buffered-pool/results", {}, None, totals)
    events = pd.concat(
        [
            issuance_events(pd.concat([ledger[s] for s in LEDGERS], ignore_index=True), code),
            retirement_events(ledger["RETIRED"], code),
            cancellation_events(ledger["CANCELED"], code),
            buffer_events(buffer, code),
        ],
        ignore_index=True,
    )
    data = apx.assemble(layout, project_frame(projects, code), events)
    data.counts = totals
    return data


def _rows(client, url: str, form: dict, key: str | None, totals: dict) -> pd.DataFrame:
    return pd.DataFrame(list(_pages(client, url, form, key, totals)))


def _pages(client: RegistryClient, url: str, form: dict, key: str | None, totals) -> Iterator:
    offset, page, total = 0, 1, None
    label = form.get("holdingStatus") or url.rsplit("/", 2)[-2]
    while total is None or offset < total:
        body = {"offset": offset, "pageNumber": page, "max": PAGE, **form}
        reply = client.request("POST", url, data=body).json()
        datasets = reply.get("datasets") if isinstance(reply, dict) else None
        if not isinstance(datasets, dict) or not datasets:
            raise FetchError(f"GreenTrace {url}: no 'datasets' in the reply")
        if key is not None and key not in datasets:
            raise FetchError(
                f"GreenTrace {url}: asked holdingStatus={form.get('holdingStatus')} but the "
                f"reply holds {sorted(datasets)}: the filter was ignored"
            )
        dataset = datasets[key] if key is not None else next(iter(datasets.values()))
        rows, count = dataset.get("rows") or [], dataset.get("totalCount")
        if not isinstance(count, int):
            raise FetchError(f"GreenTrace {url}: no totalCount to check the pages against")
        if total is not None and count != total:
            raise FetchError(f"GreenTrace {url}: totalCount moved from {total:,} to {count:,}")
        total = count
        expected = min(PAGE, total - offset)
        if len(rows) != expected:
            raise FetchError(
                f"GreenTrace {url} ({label}): offset {offset:,} gave {len(rows)} rows, "
                f"expected {expected} of {total:,}: the page was capped"
            )
        yield from rows
        offset += len(rows)
        page += 1
        if not rows:
            break
    totals[label] = total or 0


def canonical_ids(values: pd.Series, code: str) -> pd.Series:
    """'ACR0885' -> 'ACR885' (GreenTrace pads the number)."""
    text = values.astype("string").str.strip().str.upper()
    number = text.str.extract(r"(\d+)$")[0]
    return (code + number.str.lstrip("0")).where(number.notna(), text)


def _get(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


_SMALL_WORDS = {"Of", "On", "For", "And", "The", "To", "In", "A"}


def _words(values: pd.Series) -> pd.Series:
    """'ON_BEHALF_OF_THIRD_PARTY' -> 'On Behalf of Third Party', as the exports write it."""
    text = values.astype("string")
    coded = text.str.fullmatch(r"[A-Z0-9_]+").fillna(False)
    spelled = text.str.replace("_", " ").str.title().map(_small_words, na_action="ignore")
    return text.where(~coded, spelled)


def _small_words(text: str) -> str:
    first, *rest = text.split(" ")
    return " ".join([first, *(w.lower() if w in _SMALL_WORDS else w for w in rest)])


def _flag(values: pd.Series) -> pd.Series:
    return values.map(lambda v: "Yes" if v is True or str(v).lower() == "yes" else None)


def project_frame(rows: pd.DataFrame, code: str) -> pd.DataFrame:
    """Project summaries in the APX export's field names (the layout's project fields)."""
    return pd.DataFrame(
        {
            c.PROJECT_ID: canonical_ids(_get(rows, "projectReferenceId"), code),
            c.NAME: _get(rows, "projectName"),
            c.DEVELOPER: _get(rows, "projectDeveloperName"),
            c.PROJECT_TYPE: _get(rows, "projectType"),
            c.METHODOLOGY: _get(rows, "projectMethodology"),
            c.STATUS: _get(rows, "projectStatus"),
            c.ARB_ID: _get(rows, "complianceProgramId"),
            c.ARB_STATUS: _get(rows, "complianceProgramStatus"),
            c.SITE_LOCATION: _get(rows, "projectSiteLocation"),
            c.STATE: _get(rows, "projectSiteState"),
            c.COUNTRY: _get(rows, "projectSiteCountry"),
            c.VERIFIER: _get(rows, "verifierName"),
            c.WEBSITE: _get(rows, "projectWebsite"),
            c.CREDITING_PERIOD_START: _get(rows, "currentCreditingPeriodStartDate"),
            c.CREDITING_PERIOD_END: _get(rows, "currentCreditingPeriodEndDate"),
            **_label_columns(rows),
        }
    )


def _label_columns(rows: pd.DataFrame) -> dict:
    """The APX label fields from GreenTrace's flags and ``registryLabels``."""
    registry_labels = _get(rows, "registryLabels").map(
        lambda v: (
            "; ".join(str(item.get("name") if isinstance(item, dict) else item) for item in v)
            if isinstance(v, list) and v
            else None
        )
    )
    return {
        "flag_corsia": _flag(_get(rows, "corsiaEligible")),
        "flag_ccp": _flag(_get(rows, "ccpApproved")),
        "flag_ca": _flag(_get(rows, "correspondingAdjustment").map(lambda v: v == "Yes")),
        "sdgs": pd.Series(pd.NA, index=rows.index, dtype="object"),
        "labels_text": registry_labels,
    }


def _blocks(rows: pd.DataFrame, kind: str, when: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            c.PROJECT_ID: _get(rows, "projectReferenceId"),
            c.VINTAGE: _get(rows, "vintage").astype("string"),
            c.QUANTITY: _get(rows, "holdingQuantity").astype("string"),
            c.SERIAL_RANGE: _get(rows, "holdingSerialNumber"),
            c.KIND: kind,
            c.TRANSACTION_DATE: _get(rows, when),
            **_label_columns(rows),
        }
    )
    return frame


def _finish(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """Ids, vintages and quantities typed; each row's labels, as the export parser does."""
    return frame.assign(
        **{
            c.PROJECT_ID: canonical_ids(frame[c.PROJECT_ID], code),
            c.VINTAGE: vintage_years(frame[c.VINTAGE]),
            c.QUANTITY: numbers(frame[c.QUANTITY]),
            "labels": apx.row_labels(frame),
        }
    )


def retirement_events(rows: pd.DataFrame, code: str) -> pd.DataFrame:
    if rows.empty:
        return rows
    frame = _blocks(rows, c.RETIREMENT, "retirementDate").assign(
        **{
            c.BENEFICIARY: _get(rows, "retirementOnBehalfOfName"),
            c.REASON: _words(_get(rows, "retirementReason")),
            c.NOTE: _get(rows, "retirementPurpose"),
            c.ACCOUNT: _get(rows, "accountHolderName"),
        }
    )
    return _finish(frame, code)


def cancellation_events(rows: pd.DataFrame, code: str) -> pd.DataFrame:
    if rows.empty:
        return rows
    frame = _blocks(rows, c.CANCELLATION, "cancellationDate").assign(
        **{
            c.CANCELLATION_REASON: _get(rows, "cancellationReasonDisplayName"),
            c.NOTE: _get(rows, "cancellationDetails"),
            c.ACCOUNT: _get(rows, "accountHolderName"),
        }
    )
    return _finish(frame, code)


def _batch(serials: pd.Series) -> pd.Series:
    """'ACR-US-885-2024-3072-119446 to 130668' -> 'ACR-US-885-2024-3072' (the issuance)."""
    return serials.astype("string").str.extract(r"^(.*)-\d+\s+to\s+\d+$")[0]


def issuance_events(blocks: pd.DataFrame, code: str) -> pd.DataFrame:
    """One issuance per batch, with the batch's own quantity and date."""
    if blocks.empty:
        return blocks
    frame = _blocks(blocks, c.ISSUANCE, "issuanceDate").assign(
        batch=_batch(_get(blocks, "holdingSerialNumber")),
        **{c.QUANTITY: _get(blocks, "issuanceQuantity").astype("string")},
    )
    frame = frame.drop_duplicates(subset=[c.PROJECT_ID, "batch"]).drop(columns=["batch"])
    return _finish(frame.assign(**{c.SERIAL_RANGE: pd.NA}), code)


def buffer_events(blocks: pd.DataFrame, code: str) -> pd.DataFrame:
    if blocks.empty:
        return blocks
    return _finish(_blocks(blocks, c.BUFFER, "issuanceDate"), code)
