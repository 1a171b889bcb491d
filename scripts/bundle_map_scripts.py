"""Rewrite static/vendor/map-scripts.js from the vendored scripts it joins (geo.mapview)."""

from geo.web.mapview import MAP_SCRIPTS_BUNDLE, VENDOR_DIR, map_scripts_text

if __name__ == "__main__":
    out = VENDOR_DIR / MAP_SCRIPTS_BUNDLE
    out.write_text(map_scripts_text(), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
