"""The map's pieces, each a self-contained part one adds to a ``folium.Map`` (in the manner
of folium's plugins): ``basemap`` (offline Natural Earth countries, borders, rivers and place
names), ``events`` (the event layers), ``bins`` (counted cells), ``legend``, ``reference``
(gazetteer places), ``focus`` (moved by a message), ``assets`` (offline assets), with
``popups``, ``records``, ``style`` and ``text`` beneath them. Takes event records and places;
gives folium elements. ``geo.web.mapview`` puts them together and exports their public API.
"""
