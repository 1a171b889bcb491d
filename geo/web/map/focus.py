"""A map that goes where its page asks by a message (``FocusOnMessage``), so the page need
not send the map again to move it.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

#: The message a page posts to its map's frame to put the map at a point (FocusOnMessage).
FOCUS_MESSAGE = "conflict-map:focus"


class FocusOnMessage(MacroElement):
    """Puts the map where its page asks: a message ``{type: FOCUS_MESSAGE, id, lat, lon,
    zoom}`` from a frame of the map's own origin moves the map there, and is answered with
    ``{type: FOCUS_MESSAGE + ":done", id}`` so the sender stops asking.

    Why: a page that moves a map by its arguments sends the map again whenever they change
    (the map holding every point is 4.4 MB of script at 10,000 events); a message moves the
    map the browser has.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            window.addEventListener("message", function (e) {
                var d = e.data;
                if (e.origin !== window.origin || !d
                        || d.type !== {{ this.message|tojson }}) { return; }
                {{ this._parent.get_name() }}.setView([d.lat, d.lon], d.zoom);
                if (e.source) {
                    e.source.postMessage({type: {{ this.message|tojson }} + ":done", id: d.id},
                                         e.origin);
                }
            });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "FocusOnMessage"
        self.message = FOCUS_MESSAGE
