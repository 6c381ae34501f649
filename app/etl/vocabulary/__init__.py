"""One vocabulary per facet: the mapping tables the merge applies.

One module per facet (``status``, ``methodology``, ``project_type``, ``country``),
each holding its table or reading its data file; docs/DATA.md documents them.
Mapping data from CarbonPlan's offsets-db-data (MIT): ``all-protocol-mapping.json``
and ``type-category-mapping.json``, copied unchanged from the offsets-db-data
2026.5.6 wheel (``offsets_db_data/configs/``).
"""
