"""One adapter per registry: its export parser and its fetcher (see base.Adapter)."""

from __future__ import annotations

from app.etl.registries import acr, art, car, gold_standard, verra
from app.etl.registries.base import Adapter, RegistryData

ADAPTERS: dict[str, Adapter] = {
    adapter.key: adapter
    for adapter in (
        verra.ADAPTER,
        gold_standard.ADAPTER,
        acr.ADAPTER,
        car.ADAPTER,
        art.ADAPTER,
    )
}


def adapter_for(name: str) -> Adapter:
    """The adapter a user names: its key ('verra'), code ('VCS') or label ('Gold Standard')."""
    wanted = name.strip().lower().replace("-", "_").replace(" ", "_")
    for adapter in ADAPTERS.values():
        if wanted in (adapter.key, adapter.code.lower(), adapter.label.lower().replace(" ", "_")):
            return adapter
    known = ", ".join(ADAPTERS)
    raise KeyError(f"unknown registry {name!r} (known: {known})")


__all__ = ["ADAPTERS", "Adapter", "RegistryData", "adapter_for"]
