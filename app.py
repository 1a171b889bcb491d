"""The map page: `streamlit run app.py` (the page itself lives in geo/web/page.py)."""

from geo.web.page import main

main()
