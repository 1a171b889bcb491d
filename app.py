"""The map page: `streamlit run app.py` (the page itself lives in geo/webapp.py)."""

from geo.webapp import main

main()
