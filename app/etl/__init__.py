"""The data pipeline: read OffsetsDB and VROD, merge them, load the catalogue.

Everything but ``load`` and ``commands`` is pure pandas and imports no Flask.
"""
