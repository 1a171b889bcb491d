"""The map page: a Folium map in a Streamlit page. Takes a store and the gazetteer; gives
what a browser shows. ``app.py`` calls :func:`geo.web.page.main`.

- ``map/``: the map's pieces, each added to a ``folium.Map`` like a folium plugin (basemap,
  event layers, counted cells, legend, reference layers, offline assets, popups);
  ``mapview`` puts them together (``build_map``, ``base_map``, ``event_groups``,
  ``save_map``) and exports their public names.
- the page's parts, a module each: ``filters`` (filters and the URL), ``sidebar``, ``status``
  (which statuses are shown), ``views``
  and ``plan`` (what the map shows and draws), ``map_panel``, ``table``, ``timeline``,
  ``downloads``, ``add_article``, ``monitor_panel`` (new since the last visit, feeds,
  alerts), ``kept`` (what the page keeps between runs); ``page`` draws
  them in order and exports their public names.

Imports go one way: ``map`` imports nothing of the page; the page's parts import ``mapview``.
"""
