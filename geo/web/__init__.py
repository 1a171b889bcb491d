"""The map page: a Folium map (``mapview``: basemap, layers, legend, offline assets) in a
Streamlit page (``page``: filters, map, table, timeline, add an article). Takes a store and
the gazetteer; gives what a browser shows. ``app.py`` calls :func:`geo.web.page.main`.
"""
