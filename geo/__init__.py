"""conflict-map: news articles to conflict events on a map, offline.

Data flows one way through one subpackage per stage::

    articles -> gazetteer -> extract -> store -> web
    (text)      (places)     (events)   (SQLite)  (Folium map, Streamlit page)

``formats`` reads and writes event datasets (UCDP, ACLED, GeoJSON, GeoParquet, ...);
``text`` holds what every stage reads text with (sentences, dates, name keys, pattern
search). ``model`` (the data types), ``config`` (every setting), ``geodesy`` and ``inputs``
sit at the bottom; ``pipeline``, ``distributed`` and ``cli`` on top. docs/architecture.md
draws it.
"""
