"""Market insights: the statistics' aggregate queries, their filters, the home page's
figures and the last sync's data-quality report. No views here: the insights and API
blueprints call these functions."""
